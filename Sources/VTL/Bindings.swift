import Foundation

/// What API Gateway binds in a mapping template: `$input`, `$util`, `$context` and `$stageVariables`.
public struct MappingVariables: Sendable {
    /// The request (or integration response) body, as text.
    public var body: String
    /// Parameters by location (`path`, `querystring`, `header`), each in the order it came.
    public var path: [(String, String)]
    public var querystring: [(String, String)]
    public var header: [(String, String)]
    /// `$context`: nested names (`identity.sourceIp`) to values.
    public var context: [(String, Value)]
    public var stageVariables: [(String, String)]
    /// `$context` ready made (nested maps), used instead of `context` when set: a gateway builds it once per
    /// request without splitting names.
    public var contextMap: Value.MapBox?

    public init(
        body: String = "", path: [(String, String)] = [], querystring: [(String, String)] = [],
        header: [(String, String)] = [], context: [(String, Value)] = [], stageVariables: [(String, String)] = []
    ) {
        self.body = body
        self.path = path
        self.querystring = querystring
        self.header = header
        self.context = context
        self.stageVariables = stageVariables
    }

    /// The variables a template is evaluated with.
    public var values: [String: Value] {
        let contextMap = self.contextMap ?? Value.MapBox()
        for (name, value) in self.contextMap == nil ? context : [] {
            let parts = name.split(separator: ".").map(String.init)
            var map = contextMap
            for part in parts.dropLast() {
                if case .map(let inner)? = map[part] {
                    map = inner
                } else {
                    let inner = Value.MapBox()
                    map.put(part, .map(inner))
                    map = inner
                }
            }
            map.put(parts.last ?? name, value)
        }
        func map(_ pairs: [(String, String)]) -> Value.MapBox {
            Value.MapBox(pairs.map { ($0.0, Value.string($0.1)) })
        }
        let params = Value.MapBox([
            ("path", .map(map(path))), ("querystring", .map(map(querystring))), ("header", .map(map(header))),
        ])
        return [
            "input": .object(Value.ObjectBox(InputObject(body: body, params: params))),
            "util": .object(Value.ObjectBox(UtilObject())),
            "context": .map(contextMap),
            "stageVariables": .map(map(stageVariables)),
        ]
    }
}

/// `$input`: the body and the parameters.
final class InputObject: TemplateObject {
    let body: String
    let params: Value.MapBox
    private var parsed: Value??

    init(body: String, params: Value.MapBox) {
        self.body = body
        self.params = params
    }

    /// The body as JSON, read once.
    var document: Value? {
        if let parsed { return parsed }
        let blank = body.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        let value = blank ? nil : JSONReader.parse(body)
        parsed = .some(value)
        return value
    }

    /// What a path selects, as a value of its own: a template that changes it changes no later `path` call's.
    func path(_ expression: String) -> Value {
        guard let document else { return .null }
        return JSONPath.evaluate(expression, on: document).copied
    }

    func call(_ name: String, _ arguments: [Value]) throws(TemplateFailure) -> Value? {
        switch (name, arguments.count) {
        case ("getBody", 0), ("body", 0): return .string(body)
        case ("path", 1): return path(arguments[0].rendered)
        case ("json", 1): return .string(path(arguments[0].rendered).json)
        case ("params", 0): return .map(params)
        case ("params", 1):
            let key = arguments[0].rendered
            for location in ["path", "querystring", "header"] {
                if case .map(let map)? = params[location], let found = map[key] { return found }
            }
            // A parameter the request lacks is "" (as API Gateway answers), not null.
            return .string("")
        default: return nil
        }
    }

    var rendered: String { "$input" }
}

/// `$util`.
final class UtilObject: TemplateObject {
    func call(_ name: String, _ arguments: [Value]) throws(TemplateFailure) -> Value? {
        guard arguments.count == 1 else { return nil }
        let argument = arguments[0]
        if argument.isNull { return .null }
        let text = argument.rendered
        switch name {
        case "escapeJavaScript": return .string(UtilObject.escapeJavaScript(text))
        case "parseJson":
            guard let value = JSONReader.parse(text) else { throw TemplateFailure("Unable to parse JSON: \(text)") }
            return value
        case "urlEncode": return .string(UtilObject.urlEncode(text))
        case "urlDecode":
            guard let decoded = UtilObject.urlDecode(text) else {
                throw TemplateFailure("URLDecoder: Illegal hex characters in escape (%) pattern")
            }
            return .string(decoded)
        case "base64Encode": return .string(Data(text.utf8).base64EncodedString())
        case "base64Decode":
            guard let data = Data(base64Encoded: text) else { throw TemplateFailure("Illegal base64 character") }
            return .string(String(decoding: data, as: UTF8.self))
        default: return nil
        }
    }

    var rendered: String { "$util" }

    /// Java-script string escaping as commons-lang's `escapeJavaScript`: quotes, `\` and `/` escaped, control
    /// characters as `\n`-style or `\u00XX`, everything beyond ASCII as `\uXXXX`.
    static func escapeJavaScript(_ text: String) -> String {
        var output = ""
        for unit in text.utf16 {
            switch unit {
            case 0x22: output += "\\\""
            case 0x27: output += "\\'"
            case 0x5C: output += "\\\\"
            case 0x2F: output += "\\/"
            case 0x08: output += "\\b"
            case 0x0A: output += "\\n"
            case 0x09: output += "\\t"
            case 0x0C: output += "\\f"
            case 0x0D: output += "\\r"
            default:
                if unit > 0x7F {
                    output += "\\u" + hex(unit, width: 4)
                } else if unit < 0x20 {
                    output += unit > 0xF ? "\\u00" + hex(unit, width: 2) : "\\u000" + hex(unit, width: 1)
                } else {
                    output.unicodeScalars.append(Unicode.Scalar(unit)!)
                }
            }
        }
        return output
    }

    static func hex(_ value: UInt16, width: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// `java.net.URLEncoder` (UTF-8): letters, digits and `.-*_` as they are, space as `+`, the rest `%XX`.
    static func urlEncode(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "*"),
                UInt8(ascii: "_"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "): output += "+"
            default: output += "%" + hex(UInt16(byte), width: 2)
            }
        }
        return output
    }

    /// `java.net.URLDecoder` (UTF-8): `+` is a space, `%XX` a byte; nil for a broken escape.
    static func urlDecode(_ text: String) -> String? {
        var bytes: [UInt8] = []
        let source = Array(text.utf8)
        var index = 0
        while index < source.count {
            let byte = source[index]
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
                index += 1
            } else if byte == UInt8(ascii: "%") {
                guard index + 3 <= source.count,
                    let value = UInt8(String(decoding: source[index + 1..<index + 3], as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(value)
                index += 3
            } else {
                bytes.append(byte)
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
