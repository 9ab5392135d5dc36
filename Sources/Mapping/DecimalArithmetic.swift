import Foundation
import JSON

/// Rounding of computed decimals: half to even, six places (`contracts/machinemetrics-api.md`).
enum DecimalRounding {
    static func sixPlaces(_ value: Decimal) -> Decimal {
        var input = value
        var result = Decimal()
        NSDecimalRound(&result, &input, 6, .bankers)
        return result
    }

    /// `value × factor ÷ divisor`, exact, rounded half to even at six places, as plain number text.
    ///
    /// The short numbers D365 sends for times and quantities take integer arithmetic; anything longer takes
    /// Foundation's `Decimal`, whose 38-digit division cost more than the rest of a route operation's mapping.
    static func sixPlaces(_ value: JSONValue?, times factor: JSONValue?, dividedBy divisor: JSONValue?) -> String {
        if let value = ScaledDecimal(value, default: 0), let factor = ScaledDecimal(factor, default: 1),
            let divisor = ScaledDecimal(divisor, default: 1), let text = value.sixPlacesText(times: factor, dividedBy: divisor)
        {
            return text
        }
        let divisor = divisor?.decimalValue ?? 1
        let exact = (value?.decimalValue ?? 0) * (factor?.decimalValue ?? 1) / (divisor == 0 ? 1 : divisor)
        return JSONNumberText.format(sixPlaces(exact))
    }
}

/// A decimal held as `units × 10^-scale`.
struct ScaledDecimal {
    let units: Int64
    let scale: Int

    /// The number of `json` when it is plain text (`-12.50`, `3`) of at most 18 digits; `fallback` when `json` is no
    /// number; nil when it is a number the integer path does not take (an exponent, more digits).
    init?(_ json: JSONValue?, default fallback: Int64) {
        guard case .number(let text)? = json else {
            units = fallback
            scale = 0
            return
        }
        var units: Int64 = 0
        var scale = 0
        var digits = 0
        var negative = false
        var seenPoint = false
        for (index, byte) in text.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "-") where index == 0: negative = true
            case UInt8(ascii: ".") where !seenPoint && digits > 0: seenPoint = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits += 1
                guard digits <= 18 else { return nil }
                units = units * 10 + Int64(byte - UInt8(ascii: "0"))
                if seenPoint { scale += 1 }
            default: return nil
            }
        }
        guard digits > 0 else { return nil }
        self.units = negative ? -units : units
        self.scale = scale
    }

    /// `self × factor ÷ divisor` (a zero divisor counts as one) rounded half to even at six places, in the shortest
    /// plain text; nil when an intermediate would overflow.
    func sixPlacesText(times factor: ScaledDecimal, dividedBy divisor: ScaledDecimal) -> String? {
        let divisor = divisor.units == 0 ? ScaledDecimal(units: 1, scale: 0) : divisor
        guard case (let product, false) = units.multipliedReportingOverflow(by: factor.units) else { return nil }
        // millionths = product × 10^(6 + divisor.scale − scale − factor.scale) ÷ divisor.units
        let shift = 6 + divisor.scale - scale - factor.scale
        var numerator = product
        var denominator = divisor.units
        if shift >= 0 {
            guard let scaled = Self.times(numerator, tenToThe: shift) else { return nil }
            numerator = scaled
        } else {
            guard let scaled = Self.times(denominator, tenToThe: -shift) else { return nil }
            denominator = scaled
        }
        let (quotient, remainder) = numerator.quotientAndRemainder(dividingBy: denominator)
        let awayFromZero: Int64 = (numerator < 0) != (denominator < 0) ? -1 : 1
        let rest = denominator.magnitude - remainder.magnitude
        var millionths = quotient
        if remainder.magnitude > rest || (remainder.magnitude == rest && quotient % 2 != 0) { millionths += awayFromZero }
        return Self.text(millionths: millionths)
    }

    private init(units: Int64, scale: Int) {
        self.units = units
        self.scale = scale
    }

    private static func times(_ value: Int64, tenToThe exponent: Int) -> Int64? {
        var result = value
        for _ in 0..<exponent {
            guard case (let next, false) = result.multipliedReportingOverflow(by: 10) else { return nil }
            result = next
        }
        return result
    }

    private static func text(millionths: Int64) -> String {
        // Digits from the last: the fraction's six (trailing zeros dropped), then the whole part, then the sign.
        var magnitude = millionths.magnitude
        var digits: [UInt8] = []
        digits.reserveCapacity(24)
        var fractionDigits = 6
        while fractionDigits > 0 && magnitude % 10 == 0 {
            magnitude /= 10
            fractionDigits -= 1
        }
        for _ in 0..<fractionDigits {
            digits.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        }
        if fractionDigits > 0 { digits.append(UInt8(ascii: ".")) }
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        if millionths < 0 { digits.append(UInt8(ascii: "-")) }
        digits.reverse()
        return String(decoding: digits, as: UTF8.self)
    }
}
