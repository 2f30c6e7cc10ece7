import Foundation
import GatewayEngine
import GatewayModel
import NIOCore
import NIOFoundationCompat

/// One control API request, taken apart: method, path segments (percent-decoded one by one, so an ARN with
/// `%2F` stays one segment), query parameters, the JSON body, and the region of the SigV4 credential scope.
struct ControlCall: Sendable {
    var method: String
    var rawPath: String
    var segments: [String]
    var query: [(String, String)]
    var body: Data
    var headers: [(String, String)]
    var region: String
    var requestId: String
    /// The `{name}` parts of the route that matched.
    var parameters: [String: String] = [:]

    init(_ request: InvokeRequest) {
        method = request.method.uppercased()
        rawPath = request.path
        segments = request.path.split(separator: "/", omittingEmptySubsequences: true).map {
            String($0).removingPercentEncoding ?? String($0)
        }
        query = (request.query ?? "").split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
        body = request.body.map { Data(buffer: $0) } ?? Data()
        headers = request.headers.map { ($0.name, $0.value) }
        region = SigV4.region(authorization: request.headers.first(name: "Authorization")) ?? Region.default
        requestId = UUID().uuidString.lowercased()
    }

    subscript(parameter name: String) -> String { parameters[name] ?? "" }

    /// The `{api}`, `{resource}` and `{verb}` of the path (most routes are under a REST API's method).
    var apiId: String { self[parameter: "api"] }
    var resourceId: String { self[parameter: "resource"] }
    var verb: String { self[parameter: "verb"] }

    /// The first value of a query parameter.
    func queryValue(_ name: String) -> String? { query.first { $0.0 == name }?.1 }

    /// Every value of a repeated query parameter (`tagKeys=a&tagKeys=b`).
    func queryValues(_ name: String) -> [String] { query.filter { $0.0 == name }.map(\.1) }

    func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    /// The body as a JSON object (an empty body is an empty object).
    func json() throws -> JSONObject {
        let trimmed = body.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if trimmed.isEmpty { return JSONObject([:]) }
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw ControlError(
                status: 400, type: "SerializationException", message: "The request body is not a JSON object")
        }
        return JSONObject(object)
    }

    /// `limit` and `position` as API Gateway pages lists: 25 items by default, at most 500.
    func page<T>(_ items: [T]) throws -> (items: [T], position: String?) {
        // API Gateway's page is 25 unless `limit` asks for 1 to 500; a limit below 1 is the default, as AWS answers
        // GetApiKeys with limit=-1, and one above 500 is 500.
        var limit = 25
        if let text = queryValue("limit") {
            guard let value = Int(text) else {
                throw ControlError.badRequest("Invalid limit '\(text)': must be a number from 1 to 500")
            }
            limit = value < 1 ? 25 : min(value, 500)
        }
        var start = 0
        if let position = queryValue("position") {
            guard let decoded = Data(base64Encoded: position).flatMap({ String(data: $0, encoding: .utf8) }),
                let offset = Int(decoded), offset >= 0
            else { throw ControlError.badRequest("Invalid position parameter") }
            start = min(offset, items.count)
        }
        let end = min(items.count, start + limit)
        let next = end < items.count ? Data(String(end).utf8).base64EncodedString() : nil
        return (Array(items[start..<end]), next)
    }
}

/// A JSON object from a request body, read with the types API Gateway's shapes give each member; a member of the
/// wrong type is a 400 that names it.
struct JSONObject: @unchecked Sendable {
    let values: [String: Any]

    init(_ values: [String: Any]) { self.values = values }

    func has(_ key: String) -> Bool { values[key] != nil && !(values[key] is NSNull) }

    func string(_ key: String) throws -> String? {
        guard has(key) else { return nil }
        guard let value = values[key] as? String else { throw wrongType(key, "a string") }
        return value
    }

    func requiredString(_ key: String) throws -> String {
        guard let value = try string(key) else { throw ControlError.badRequest("\(key) is required") }
        return value
    }

    func bool(_ key: String) throws -> Bool? {
        guard has(key) else { return nil }
        guard JSONNumber.isBoolean(values[key]), let value = values[key] as? Bool else {
            throw wrongType(key, "true or false")
        }
        return value
    }

    func int(_ key: String) throws -> Int? {
        guard has(key) else { return nil }
        guard let value = values[key] as? NSNumber, !JSONNumber.isBoolean(value) else {
            throw wrongType(key, "a number")
        }
        return value.intValue
    }

    func double(_ key: String) throws -> Double? {
        guard has(key) else { return nil }
        guard let value = values[key] as? NSNumber, !JSONNumber.isBoolean(value) else {
            throw wrongType(key, "a number")
        }
        return value.doubleValue
    }

    func strings(_ key: String) throws -> [String]? {
        guard has(key) else { return nil }
        guard let value = values[key] as? [String] else { throw wrongType(key, "a list of strings") }
        return value
    }

    /// A map of strings. A value of another type is AWS's SerializationException, in AWS's words (which name the
    /// Java class the value would have been read as).
    func stringMap(_ key: String, nullAsEmpty: Bool = false) throws -> [String: String]? {
        guard has(key) else { return nil }
        guard let raw = values[key] as? [String: Any] else { throw wrongType(key, "a map of strings") }
        var result: [String: String] = [:]
        for (name, value) in raw {
            switch value {
            case let text as String: result[name] = text
            case is NSNull where nullAsEmpty: result[name] = ""
            case let number as NSNumber:
                let kind =
                    JSONNumber.isBoolean(number)
                    ? "java.lang.Boolean" : "com.amazon.coral.value.json.numbers.TruncatingBigNumber"
                throw ControlError(
                    status: 400, type: "SerializationException",
                    message: "class \(kind) can not be converted to an String")
            default: throw wrongType("\(key).\(name)", "a string")
            }
        }
        return result
    }

    func boolMap(_ key: String) throws -> [String: Bool]? {
        guard has(key) else { return nil }
        guard let value = values[key] as? [String: Any] else { throw wrongType(key, "a map of true/false") }
        var result: [String: Bool] = [:]
        for (name, flag) in value {
            guard JSONNumber.isBoolean(flag), let flag = flag as? Bool else {
                throw wrongType("\(key).\(name)", "true or false")
            }
            result[name] = flag
        }
        return result
    }

    func object(_ key: String) throws -> JSONObject? {
        guard has(key) else { return nil }
        guard let value = values[key] as? [String: Any] else { throw wrongType(key, "an object") }
        return JSONObject(value)
    }

    func objects(_ key: String) throws -> [JSONObject]? {
        guard has(key) else { return nil }
        guard let value = values[key] as? [[String: Any]] else { throw wrongType(key, "a list of objects") }
        return value.map(JSONObject.init)
    }

    /// An enumeration member. An unknown value is AWS's ValidationException naming `member` (the key unless
    /// given, as in `putIntegrationInput.type`) and the values, sorted or in `listed` order where AWS's answer
    /// shows its own.
    func enumValue<E: RawRepresentable & CaseIterable>(
        _ key: String, _ type: E.Type, member: String? = nil, listed: [String]? = nil
    ) throws -> E? where E.RawValue == String {
        guard let text = try string(key) else { return nil }
        guard let value = E(rawValue: text) else {
            throw ControlError.validation(
                value: text, at: member ?? key, allowed: listed ?? E.allCases.map(\.rawValue), inOrder: listed != nil)
        }
        return value
    }

    private func wrongType(_ key: String, _ expected: String) -> ControlError {
        ControlError(status: 400, type: "SerializationException", message: "\(key) must be \(expected)")
    }
}
