import Foundation

/// Numbers as Java writes and computes them.
enum JavaNumber {
    /// An integer literal beyond 64 bits, as a BigInteger.
    static func bigInteger(_ text: String) -> Value? {
        guard let decimal = Decimal(string: text), decimal.isFinite else { return nil }
        return .bigInteger(decimal)
    }

    /// `Double.toString`: the shortest digits that read back the same; plain from 10⁻³ up to 10⁷, else
    /// `1.0E7`-style; always a fraction digit.
    static func double(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        // Java (before 19) writes the smallest subnormal with two digits.
        if abs(value) == Double.leastNonzeroMagnitude { return value < 0 ? "-4.9E-324" : "4.9E-324" }
        let magnitude = abs(value)
        // From 10⁻³ up to 10⁷ Swift writes what Java writes (shortest digits, plain, a fraction digit).
        if magnitude >= 1e-3 && magnitude < 1e7 { return "\(value)" }
        // Swift's description gives the shortest round-trip digits; read them back as digits and an exponent.
        var digits = ""
        var exponent = 0
        let text = "\(magnitude)"
        let parts = text.split(separator: "e", maxSplits: 1)
        let mantissa = String(parts[0])
        let power = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        let pieces = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = String(pieces[0])
        let fraction = pieces.count > 1 ? String(pieces[1]) : ""
        digits = whole + fraction
        exponent = whole.count - 1 + power
        // Drop leading zeros (0.001 → digits 0001).
        while digits.count > 1, digits.first == "0" {
            digits.removeFirst()
            exponent -= 1
        }
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        let sign = value < 0 ? "-" : ""
        if magnitude >= 1e-3 && magnitude < 1e7 {
            if exponent >= 0 {
                let integerDigits = exponent + 1
                let padded =
                    digits.count < integerDigits
                    ? digits + String(repeating: "0", count: integerDigits - digits.count) : digits
                let integer = padded.prefix(integerDigits)
                let rest = padded.dropFirst(integerDigits)
                return sign + integer + "." + (rest.isEmpty ? "0" : rest)
            }
            return sign + "0." + String(repeating: "0", count: -exponent - 1) + digits
        }
        let first = digits.prefix(1)
        let rest = digits.dropFirst()
        return sign + first + "." + (rest.isEmpty ? "0" : rest) + "E" + String(exponent)
    }
}

extension Value {
    /// How Velocity writes a value into the output: Java's `toString()`.
    public var rendered: String {
        switch self {
        case .null: "null"
        case .string(let text): text
        case .integer(let number): String(number)
        case .bigInteger(let number): "\(number)"
        case .double(let number): JavaNumber.double(number)
        case .bool(let flag): flag ? "true" : "false"
        case .list(let list):
            list.json ? json : "[" + list.items.map(\.rendered).joined(separator: ", ") + "]"
        case .map(let map): "{" + map.pairs.map { "\($0.0)=\($0.1.rendered)" }.joined(separator: ", ") + "}"
        case .object(let box): box.object.rendered
        }
    }

    /// The value as JSON, written as json-smart writes it (`/` escaped, no spaces).
    public var json: String {
        var output = ""
        writeJSON(into: &output)
        return output
    }

    func writeJSON(into output: inout String) {
        switch self {
        case .null: output += "null"
        case .string(let text): Value.writeJSONString(text, into: &output)
        case .integer, .bigInteger, .double, .bool: output += rendered
        case .list(let list):
            output += "["
            for (index, item) in list.items.enumerated() {
                if index > 0 { output += "," }
                item.writeJSON(into: &output)
            }
            output += "]"
        case .map(let map):
            output += "{"
            for (index, (key, value)) in map.pairs.enumerated() {
                if index > 0 { output += "," }
                Value.writeJSONString(key, into: &output)
                output += ":"
                value.writeJSON(into: &output)
            }
            output += "}"
        case .object(let box): Value.writeJSONString(box.object.rendered, into: &output)
        }
    }

    /// A JSON string: `"`, `\`, `/` (unless `escapingSlash` is false) and control characters escaped, as json-smart
    /// does; the rest as it is.
    public static func writeJSONString(_ text: String, into output: inout String, escapingSlash: Bool = true) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "/": output += escapingSlash ? "\\/" : "/"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value <= 0x9F)
                    || (scalar.value >= 0x2000 && scalar.value <= 0x20FF)
                {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
