"""Drives the simulator with clients d365mm did not write: Microsoft's MSAL for Python and azure-identity, which read
the discovery documents before they ask for a token, and plain `requests` reading OData as any OData client would.

The simulator's address, identity and CA come in the environment; HTTPS_PROXY (with its login) is honoured by
requests, so every request goes through the simulated proxy, the only place the services' name resolves.
Prints one line per check, `ok NAME` or `FAIL NAME: why`, and exits 1 when any failed. Never prints a secret.
"""
import json
import os
import sys

import azure.identity
import msal
import msal.authority
import requests

authority_host = os.environ["SIM_AUTHORITY_HOST"]
tenant = os.environ["SIM_TENANT"]
client_id = os.environ["SIM_CLIENT_ID"]
d365 = os.environ["SIM_D365"]
failures = 0


def check(name, passed, why=""):
    global failures
    print(("ok " + name) if passed else ("FAIL %s: %s" % (name, why)), flush=True)
    failures += 0 if passed else 1


def msal_app(credential):
    # Instance discovery asks login.microsoftonline.com for aliases of any other host, whatever endpoint is given, so
    # the applications skip it; the authority below walks it against the simulator instead.
    return msal.ConfidentialClientApplication(client_id, client_credential=credential,
                                              authority="%s/%s" % (authority_host, tenant), instance_discovery=False)


def token(credential, label):
    result = msal_app(credential).acquire_token_for_client(scopes=[d365 + "/.default"])
    check("msal token with " + label, "access_token" in result,
          "%s: %s" % (result.get("error"), (result.get("error_description") or "")[:300]))
    return result.get("access_token")


with open(os.environ["SIM_CERTIFICATE_FILE"]) as file:
    certificate = file.read()
with open(os.environ["SIM_KEY_FILE"]) as file:
    key = file.read()

access = token(os.environ["SIM_CLIENT_SECRET"], "a client secret")
token({"private_key": key, "public_certificate": certificate}, "a certificate (PS256, x5t#S256)")
token({"private_key": key, "thumbprint": os.environ["SIM_CERTIFICATE_SHA1"]}, "a certificate thumbprint (RS256, x5t)")
wrong = msal_app("not-the-secret").acquire_token_for_client(scopes=[d365 + "/.default"])
check("a wrong secret is refused with AADSTS7000215", "AADSTS7000215" in (wrong.get("error_description") or ""), str(wrong.get("error")))

discovered = msal.authority.Authority("%s/%s" % (authority_host, tenant), requests.Session(),
                                      instance_discovery="%s/common/discovery/instance" % authority_host)
check("msal's instance discovery leads to the tenant's token endpoint, by its id",
      discovered.token_endpoint == "%s/%s/oauth2/v2.0/token" % (authority_host, os.environ["SIM_TENANT_ID"]), discovered.token_endpoint)

with open(os.environ["SIM_KEY_FILE"] + ".both.pem", "w") as file:
    file.write(certificate + key)
for label, credential in [
        ("a client secret", azure.identity.ClientSecretCredential(
            tenant, client_id, os.environ["SIM_CLIENT_SECRET"], authority=authority_host, disable_instance_discovery=True)),
        ("a certificate", azure.identity.CertificateCredential(
            tenant, client_id, certificate_path=os.environ["SIM_KEY_FILE"] + ".both.pem", authority=authority_host,
            disable_instance_discovery=True))]:
    try:
        check("azure-identity token with " + label, bool(credential.get_token(d365 + "/.default").token))
    except Exception as error:  # azure-identity raises ClientAuthenticationError with Entra's text
        check("azure-identity token with " + label, False, str(error)[:300])

if access:
    session = requests.Session()
    session.headers.update({"Authorization": "Bearer " + access, "OData-MaxVersion": "4.0", "OData-Version": "4.0",
                            "Accept": "application/json;odata.metadata=minimal"})
    fields = "dataAreaId,ProductionOrderNumber,ScheduledStartDate,DeliveryDate,EndedDate"
    page = session.get(d365 + "/data/ProductionOrderHeaders",
                       params={"cross-company": "true", "$top": "50", "$select": fields})
    check("a collection answers 200", page.status_code == 200, str(page.status_code))
    check("answers carry OData-Version: 4.0", page.headers.get("OData-Version") == "4.0", str(page.headers.get("OData-Version")))
    content_type = page.headers.get("Content-Type", "")
    check("answers are application/json with odata.metadata=minimal",
          content_type.startswith("application/json") and "odata.metadata=minimal" in content_type, content_type)
    rows = page.json().get("value", [])
    check("a $select is honoured by a collection", rows and all(set(row) == set(fields.split(",")) | {"@odata.etag"} for row in rows),
          json.dumps(rows[:1]))
    dates = [row[field] for row in rows for field in ("ScheduledStartDate", "DeliveryDate", "EndedDate")]
    check("date-only fields are YYYY-MM-DDT12:00:00Z", dates and all(len(d) == 20 and d.endswith("T12:00:00Z") for d in dates), str(dates[:6]))
    check("an empty date is 1900-01-01T12:00:00Z", "1900-01-01T12:00:00Z" in dates, "no empty date among %d" % len(dates))
    if rows:
        first = rows[0]
        url = "%s/data/ProductionOrderHeaders(dataAreaId='%s',ProductionOrderNumber='%s')" % (d365, first["dataAreaId"], first["ProductionOrderNumber"])
        one = session.get(url, params={"cross-company": "true", "$select": "ProductionOrderNumber,DeliveryDate"})
        body = one.json()
        check("a read by key honours $select", one.status_code == 200 and
              {name for name in body if not name.startswith("@")} == {"ProductionOrderNumber", "DeliveryDate"}, json.dumps(body)[:300])
        check("a read by key's context names the selection",
              body.get("@odata.context", "").endswith("#ProductionOrderHeaders(ProductionOrderNumber,DeliveryDate)/$entity"),
              body.get("@odata.context", ""))
    refused = requests.get(d365 + "/data/ProductionOrderHeaders", params={"$top": "1"})
    check("a request without a token is refused with 401", refused.status_code == 401, str(refused.status_code))

sys.exit(1 if failures else 0)
