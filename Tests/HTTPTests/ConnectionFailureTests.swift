import Foundation
import HTTP
import Testing

/// A service that is down is reported at once, so that the run's own retries, not the client's, decide how long to wait.
struct ConnectionFailureTests {
    @Test func aRefusedConnectionFailsAtOnceNotAfterTheConnectTimeout() async throws {
        let port = try closedPort()
        let client = try HTTPClient(connectTimeout: .seconds(60))
        let started = ContinuousClock.now
        let failure = await #expect(throws: HTTPTransportError.self) {
            try await client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/data/Workers?token=abc"), timeout: .seconds(120))
        }
        let waited = ContinuousClock.now - started
        await client.shutdown()
        #expect(failure?.kind == .connectionFailed)
        #expect(failure?.description == "GET http://127.0.0.1:\(port)/data/Workers: cannot connect (Connection refused, errno 111)")
        // Before, async-http-client tried again and again until the connect timeout (a minute here) ran out.
        #expect(waited < .seconds(30))
    }

    /// A loopback port nothing listens on: bound to find a free one, then closed.
    private func closedPort() throws -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
        return UInt16(bigEndian: address.sin_port)
    }
}
