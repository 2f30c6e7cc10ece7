import Foundation
import OrderedCollections

/// A parsed JSON or YAML document: the tree the importer reads and the exporter writes.
public indirect enum DocValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([DocValue])
    case object(OrderedDictionary<String, DocValue>)

    /// The member `key` of an object, or nil.
    public subscript(key: String) -> DocValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var objectValue: OrderedDictionary<String, DocValue>? {
        if case .object(let members) = self { return members }
        return nil
    }

    public var arrayValue: [DocValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    /// An integer, also from a double with no fraction.
    public var intValue: Int? {
        switch self {
        case .int(let number): return number
        case .double(let number) where number.rounded() == number && abs(number) < 1e15: return Int(number)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let number): return Double(number)
        case .double(let number): return number
        default: return nil
        }
    }

    /// A scalar written as text: strings as they are, numbers and booleans as JSON writes them.
    public var scalarText: String? {
        switch self {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .double(let number): return DocValue.format(number)
        case .bool(let flag): return flag ? "true" : "false"
        default: return nil
        }
    }

    /// The JSON type name used in error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    static func format(_ number: Double) -> String {
        if number.rounded() == number && abs(number) < 1e15 { return String(Int(number)) + ".0" }
        return String(number)
    }
}

extension DocValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
}

extension DocValue: ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral {
    public init(dictionaryLiteral elements: (String, DocValue)...) {
        self = .object(OrderedDictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(arrayLiteral elements: DocValue...) { self = .array(elements) }
}

/// JSON Pointer (RFC 6901) helpers.
public enum JSONPointer {
    /// Escapes a member name for a pointer: `~` → `~0`, `/` → `~1`.
    public static func escape(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    /// Unescapes a pointer token.
    public static func unescape(_ token: Substring) -> String {
        token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
    }

    /// `base` extended by `tokens`.
    public static func append(_ base: String, _ tokens: String...) -> String {
        tokens.reduce(base) { $0 + "/" + escape($1) }
    }

    /// The tokens of a pointer (`/a/b~1c` → `["a", "b/c"]`); the empty pointer has none.
    public static func tokens(_ pointer: String) -> [String] {
        guard !pointer.isEmpty else { return [] }
        return pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map(unescape)
    }

    /// The value `pointer` names inside `root`, or nil.
    public static func resolve(_ pointer: String, in root: DocValue) -> DocValue? {
        var current = root
        for token in tokens(pointer) {
            switch current {
            case .object(let members):
                guard let next = members[token] else { return nil }
                current = next
            case .array(let items):
                guard let index = Int(token), items.indices.contains(index) else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }
}
