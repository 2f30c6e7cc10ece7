import Foundation
import GatewayModel

/// One RFC 6902-style operation of an `update-*` call, as API Gateway takes them: `op`, `path`, `value` (always
/// a string), `from`. Paths escape `/` inside a segment as `~1` and `~` as `~0`.
struct PatchOperation: Sendable, Equatable {
    enum Op: String, Sendable, CaseIterable {
        case add, remove, replace, move, copy, test
    }

    var op: Op
    var path: String
    var value: String?
    var from: String?

    /// The `patchOperations` of a request body. `input` is the operation's input shape (`updateStageInput`), which
    /// AWS names in its answer to an unknown `op`; `missingPath`, when given, is the answer to an operation
    /// without a `path` (AWS words it per resource). Every unknown `op` is reported in one ValidationException, as
    /// AWS does, followed by `alsoInvalid` (the call's other members that fail their constraints).
    static func list(
        _ body: JSONObject, input: String, missingPath: String? = nil, alsoInvalid: [String] = []
    ) throws -> [PatchOperation] {
        let operations = try body.objects("patchOperations") ?? []
        var invalid: [String] = []
        var parsed: [PatchOperation] = []
        var pathProblem: ControlError?
        for (index, operation) in operations.enumerated() {
            guard let opText = try operation.string("op"), let op = Op(rawValue: opText) else {
                let given = (operation.values["op"] as? String) ?? "null"
                invalid.append(
                    "Value '\(given)' at '\(input).patchOperations.\(index + 1).member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]"
                )
                continue
            }
            let path = try operation.string("path")
            guard let path, path.hasPrefix("/") else {
                if pathProblem == nil {
                    pathProblem = ControlError.badRequest(
                        path == nil && missingPath != nil
                            ? missingPath! : "patchOperations[\(index)].path must start with '/'")
                }
                continue
            }
            let value: String?
            switch operation.values["value"] {
            case let text as String: value = text
            case let number as NSNumber where JSONNumber.isBoolean(number): value = number.boolValue ? "true" : "false"
            case let number as NSNumber: value = number.stringValue
            default: value = nil
            }
            parsed.append(PatchOperation(op: op, path: path, value: value, from: try operation.string("from")))
        }
        invalid += alsoInvalid
        if !invalid.isEmpty { throw ControlError.validation(invalid) }
        if let pathProblem { throw pathProblem }
        return parsed
    }

    /// The path's segments with `~1` and `~0` undone: `/~1pets/GET/caching/enabled` → `["/pets", "GET", …]`.
    var segments: [String] {
        path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    /// The path's segments as written (still escaped).
    var rawSegments: [String] {
        path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
    }

    func string() throws -> String {
        guard let value else {
            throw ControlError.badRequest("Invalid patch operation: op '\(op.rawValue)' on '\(path)' needs a value")
        }
        return value
    }

    /// The value read as Java's `Boolean.parseBoolean` reads it, as AWS reads some flags: "true" in any case is true,
    /// anything else (no value too) false.
    var javaBool: Bool { value?.lowercased() == "true" }

    func bool() throws -> Bool {
        switch try string().lowercased() {
        case "true": return true
        case "false": return false
        default: throw ControlError.badRequest("Invalid value '\(value ?? "")' for \(path): must be true or false")
        }
    }

    func int(_ range: ClosedRange<Int>? = nil) throws -> Int {
        guard let number = Int(try string()), range.map({ $0.contains(number) }) ?? true else {
            let bounds = range.map { " from \($0.lowerBound) to \($0.upperBound)" } ?? ""
            throw ControlError.badRequest("Invalid value '\(value ?? "")' for \(path): must be a whole number\(bounds)")
        }
        return number
    }

    func double() throws -> Double {
        guard let number = Double(try string()), number >= 0 else {
            throw ControlError.badRequest("Invalid value '\(value ?? "")' for \(path): must be a number, 0 or more")
        }
        return number
    }

    func enumValue<E: RawRepresentable & CaseIterable>(_ type: E.Type) throws -> E where E.RawValue == String {
        let text = try string()
        guard let result = E(rawValue: text) else {
            let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
            throw ControlError.badRequest("Invalid value '\(text)' for \(path): must be one of [\(allowed)]")
        }
        return result
    }

    /// API Gateway's 400 for a path or op an object does not take.
    func unsupported(_ allowed: [String]) -> ControlError {
        ControlError.badRequest(
            "Invalid patch path '\(path)' specified for op '\(op.rawValue)'. Must be one of: [\(allowed.joined(separator: ", "))]"
        )
    }

    /// Sets or removes `key` in a map member (`/requestParameters/{key}`, `/variables/{name}`).
    func apply<Value>(to map: inout [String: Value], key: String, value make: () throws -> Value) throws {
        switch op {
        case .add, .replace: map[key] = try make()
        case .remove: map[key] = nil
        default: throw unsupported(["add", "replace", "remove"].map { "\($0) \(path)" })
        }
    }
}
