/// A node of an API's resource tree, with the methods defined on it.
public struct Resource: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    /// nil for the root resource `/`.
    public var parentId: String?
    /// The last segment: `pets`, `{petId}`, `{proxy+}`; nil for the root.
    public var pathPart: String?
    /// The full path: `/`, `/pets`, `/pets/{petId}`.
    public var path: String
    /// Methods keyed by HTTP method (`GET`, `POST`, `ANY` …).
    public var resourceMethods: [String: Method]

    public init(id: String, parentId: String?, pathPart: String?, path: String, resourceMethods: [String: Method] = [:])
    {
        self.id = id
        self.parentId = parentId
        self.pathPart = pathPart
        self.path = path
        self.resourceMethods = resourceMethods
    }

    /// Whether the path part is a greedy variable such as `{proxy+}`.
    public var isGreedy: Bool { pathPart.map(PathRules.isGreedy) ?? false }

    /// The methods in a stable order (GET, POST, … ANY last).
    public var sortedMethods: [Method] {
        resourceMethods.values.sorted { HTTPVerb.order($0.httpMethod) < HTTPVerb.order($1.httpMethod) }
    }
}

/// The HTTP methods API Gateway accepts on a resource.
public enum HTTPVerb {
    public static let all = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"]

    public static func isValid(_ method: String) -> Bool { all.contains(method) }

    static func order(_ method: String) -> Int { all.firstIndex(of: method) ?? all.count }
}

/// API Gateway's rules for resource paths.
public enum PathRules {
    static let plainCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-:,")

    /// The message API Gateway gives for a bad path part.
    public static let invalidPathPartMessage =
        "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace."

    /// Whether `part` is a valid path part: plain characters, or one whole `{name}` / `{name+}`.
    public static func isValidPathPart(_ part: String) -> Bool {
        guard !part.isEmpty else { return false }
        if part.hasPrefix("{") {
            guard part.hasSuffix("}"), part.count > 2 else { return false }
            var name = part.dropFirst().dropLast()
            if name.hasSuffix("+") { name = name.dropLast() }
            return !name.isEmpty && name.allSatisfy { plainCharacters.contains($0) }
        }
        return part.allSatisfy { plainCharacters.contains($0) }
    }

    /// Whether `part` is a greedy variable (`{proxy+}`).
    public static func isGreedy(_ part: String) -> Bool { part.hasPrefix("{") && part.hasSuffix("+}") }

    /// The variable name of `{name}` or `{name+}`, or nil for a plain part.
    public static func variableName(_ part: String) -> String? {
        guard part.hasPrefix("{"), part.hasSuffix("}") else { return nil }
        var name = part.dropFirst().dropLast()
        if name.hasSuffix("+") { name = name.dropLast() }
        return String(name)
    }

    /// The segments of a path: `/a/{b}` gives `["a", "{b}"]`.
    public static func segments(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    /// Why `path` is not a valid resource path, or nil when it is.
    public static func problem(inPath path: String) -> String? {
        guard path.hasPrefix("/") else { return "a resource path must start with '/'" }
        if path.contains("//") { return "a resource path cannot contain an empty segment ('//')" }
        let parts = segments(path)
        for (index, part) in parts.enumerated() {
            guard isValidPathPart(part) else { return "path part '\(part)': \(invalidPathPartMessage)" }
            if isGreedy(part) && index != parts.count - 1 {
                return "the greedy path variable '\(part)' must be the last path part"
            }
        }
        var seen = Set<String>()
        for name in parts.compactMap(variableName) where !seen.insert(name).inserted {
            return "the path variable '{\(name)}' appears twice"
        }
        return nil
    }
}
