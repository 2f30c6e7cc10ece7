import Foundation
import GatewayModel

/// A JSON value, Sendable, for request bodies and model schemas.
indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses JSON text (any top-level value); nil when it is not JSON.
    static func parse(_ data: Data) -> JSONValue? {
        guard let any = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return nil }
        return JSONValue(any)
    }

    init(_ any: Any) {
        switch any {
        case let number as NSNumber where JSONNumber.isBoolean(number): self = .bool(number.boolValue)
        case let number as NSNumber: self = .number(number.doubleValue)
        case let text as String: self = .string(text)
        case let list as [Any]: self = .array(list.map(JSONValue.init))
        case let map as [String: Any]: self = .object(map.mapValues(JSONValue.init))
        default: self = .null
        }
    }

    subscript(_ key: String) -> JSONValue? {
        if case .object(let map) = self { return map[key] }
        return nil
    }
}

/// The JSON Schema (draft 4) checks API Gateway applies to a request body with `validateRequestBody`: type,
/// enum, required, properties, additionalProperties, items, min/max length, items and properties, minimum and
/// maximum (exclusive too), pattern, allOf/anyOf/oneOf/not, and `$ref` to other models of the API (by their
/// `https://apigateway.amazonaws.com/restapis/{api}/models/{name}` URL) or into `#/definitions`.
struct JSONSchemaValidator: Sendable {
    /// The API's model schemas by model name.
    let models: [String: JSONValue]

    init(models: [Model]) {
        var parsed: [String: JSONValue] = [:]
        for model in models {
            if let schema = model.schema, let value = JSONValue.parse(Data(schema.utf8)) { parsed[model.name] = value }
        }
        self.models = parsed
    }

    /// The first problem of `value` against the model `name`, or nil when it fits.
    func problem(_ value: JSONValue, model name: String) -> String? {
        guard let schema = models[name] else { return nil }
        return problem(value, schema, root: schema, path: "", depth: 0)
    }

    private func problem(_ value: JSONValue, _ schema: JSONValue, root: JSONValue, path: String, depth: Int) -> String?
    {
        guard depth < 64, case .object(let rules) = schema else { return nil }
        let place = path.isEmpty ? "the body" : path
        if case .string(let reference)? = rules["$ref"] {
            if reference.hasPrefix("#/definitions/") {
                let name = String(reference.dropFirst("#/definitions/".count))
                guard let target = root["definitions"]?[name] else { return "\(place): unresolved $ref \(reference)" }
                return problem(value, target, root: root, path: path, depth: depth + 1)
            }
            guard let name = Model.name(fromReferenceURL: reference), let target = models[name] else {
                return "\(place): unresolved $ref \(reference)"
            }
            return problem(value, target, root: target, path: path, depth: depth + 1)
        }
        if let types = rules["type"], !Self.matches(value, types) {
            return "\(place): instance type (\(Self.typeName(value))) does not match any allowed primitive type"
        }
        if case .array(let allowed)? = rules["enum"], !allowed.contains(value) {
            return "\(place): instance value not found in enum"
        }
        switch value {
        case .object(let members):
            if case .array(let required)? = rules["required"] {
                let missing = required.compactMap { entry -> String? in
                    guard case .string(let name) = entry, members[name] == nil else { return nil }
                    return name
                }
                if !missing.isEmpty {
                    return
                        "\(place): object has missing required properties ([\(missing.map { "\"\($0)\"" }.joined(separator: ","))])"
                }
            }
            let properties: [String: JSONValue]
            if case .object(let map)? = rules["properties"] { properties = map } else { properties = [:] }
            for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                if let rule = properties[name] {
                    if let found = problem(member, rule, root: root, path: "\(path)/\(name)", depth: depth + 1) {
                        return found
                    }
                } else if let extra = rules["additionalProperties"] {
                    if extra == .bool(false) {
                        return
                            "\(place): object instance has properties which are not allowed by the schema ([\"\(name)\"])"
                    }
                    if let found = problem(member, extra, root: root, path: "\(path)/\(name)", depth: depth + 1) {
                        return found
                    }
                }
            }
        case .array(let items):
            if case .number(let least)? = rules["minItems"], Double(items.count) < least {
                return "\(place): array is too short: must have at least \(Int(least)) elements"
            }
            if case .number(let most)? = rules["maxItems"], Double(items.count) > most {
                return "\(place): array is too long: must have at most \(Int(most)) elements"
            }
            if let rule = rules["items"] {
                for (index, item) in items.enumerated() {
                    if let found = problem(item, rule, root: root, path: "\(path)/\(index)", depth: depth + 1) {
                        return found
                    }
                }
            }
        case .string(let text):
            if case .number(let least)? = rules["minLength"], Double(text.count) < least {
                return "\(place): string is too short"
            }
            if case .number(let most)? = rules["maxLength"], Double(text.count) > most {
                return "\(place): string is too long"
            }
            if case .string(let pattern)? = rules["pattern"], let regex = try? NSRegularExpression(pattern: pattern),
                regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil
            {
                return "\(place): ECMA 262 regex \"\(pattern)\" does not match input string"
            }
        case .number(let number):
            if case .number(let least)? = rules["minimum"] {
                let exclusive = rules["exclusiveMinimum"] == .bool(true)
                if exclusive ? number <= least : number < least {
                    return "\(place): numeric instance is lower than the required minimum"
                }
            }
            if case .number(let most)? = rules["maximum"] {
                let exclusive = rules["exclusiveMaximum"] == .bool(true)
                if exclusive ? number >= most : number > most {
                    return "\(place): numeric instance is greater than the required maximum"
                }
            }
        case .null, .bool:
            break
        }
        if case .array(let all)? = rules["allOf"] {
            for rule in all {
                if let found = problem(value, rule, root: root, path: path, depth: depth + 1) { return found }
            }
        }
        if case .array(let any)? = rules["anyOf"],
            !any.contains(where: { problem(value, $0, root: root, path: path, depth: depth + 1) == nil })
        {
            return "\(place): instance failed to match at least one required schema among \(any.count)"
        }
        if case .array(let one)? = rules["oneOf"],
            one.filter({ problem(value, $0, root: root, path: path, depth: depth + 1) == nil }).count != 1
        {
            return "\(place): instance failed to match exactly one schema"
        }
        if let not = rules["not"], problem(value, not, root: root, path: path, depth: depth + 1) == nil {
            return "\(place): instance matched a schema which it should not have"
        }
        return nil
    }

    static func matches(_ value: JSONValue, _ types: JSONValue) -> Bool {
        switch types {
        case .string(let type): return matches(value, type)
        case .array(let list): return list.contains { matches(value, $0) }
        default: return true
        }
    }

    static func matches(_ value: JSONValue, _ type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null),
            ("number", .number):
            return true
        case ("integer", .number(let number)): return number.rounded() == number
        default: return false
        }
    }

    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .number(let number): number.rounded() == number ? "integer" : "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
