import Foundation

/// A value as a Velocity template sees it: Java's null, strings, numbers and booleans, Java's lists and maps (shared
/// and mutable, as Java's are), and the objects API Gateway binds (`$input`, `$util`).
public enum Value: Sendable {
    case null
    case string(String)
    /// An integral number (Java's Integer, Long): rendered without a fraction.
    case integer(Int64)
    /// An integral number beyond 64 bits (Java's BigInteger).
    case bigInteger(Decimal)
    case double(Double)
    case bool(Bool)
    case list(ListBox)
    case map(MapBox)
    case object(ObjectBox)

    /// A Java `ArrayList` (`[1, two]`), or a JSON array as JSONPath gives it (rendered as JSON: `[1,"two"]`).
    public final class ListBox: @unchecked Sendable {  // confined to the one evaluation that made it
        public var items: [Value]
        public let json: Bool

        public init(_ items: [Value], json: Bool = false) {
            self.items = items
            self.json = json
        }
    }

    /// A Java `LinkedHashMap`: keys in the order they were first put.
    public final class MapBox: @unchecked Sendable {  // confined to the one evaluation that made it
        public private(set) var keys: [String] = []
        public private(set) var values: [String: Value] = [:]

        public init(_ pairs: [(String, Value)] = []) {
            for (key, value) in pairs { put(key, value) }
        }

        /// Puts a value; returns the previous one (Java's `put`).
        @discardableResult
        public func put(_ key: String, _ value: Value) -> Value {
            let previous = values.updateValue(value, forKey: key)
            if previous == nil { keys.append(key) }
            return previous ?? .null
        }

        public func remove(_ key: String) -> Value {
            guard let previous = values.removeValue(forKey: key) else { return .null }
            keys.removeAll { $0 == key }
            return previous
        }

        public subscript(key: String) -> Value? { values[key] }
        public var count: Int { keys.count }
        public var pairs: [(String, Value)] { keys.map { ($0, values[$0]!) } }
    }

    /// An object with methods and properties of its own (`$input`, `$util`, `$foreach`, a map entry).
    public final class ObjectBox: @unchecked Sendable {  // confined to the one evaluation that made it
        public let object: any TemplateObject
        public init(_ object: any TemplateObject) { self.object = object }
    }

    /// The value with its lists and maps copied (Java reads the body anew for each call).
    var copied: Value {
        switch self {
        case .list(let list): return .list(list.items.map(\.copied), json: list.json)
        case .map(let map): return .map(map.pairs.map { ($0.0, $0.1.copied) })
        default: return self
        }
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    static func list(_ items: [Value], json: Bool = false) -> Value { .list(ListBox(items, json: json)) }
    static func map(_ pairs: [(String, Value)]) -> Value { .map(MapBox(pairs)) }
}

/// An object a template can call: `$input.json('$')`, `$util.urlEncode($x)`.
public protocol TemplateObject: AnyObject {
    /// The result of `.name(arguments)`, or nil when the object has no such method (the reference stays as written).
    func call(_ name: String, _ arguments: [Value]) throws(TemplateFailure) -> Value?
    /// The result of `.name` (Java's `getName()`), or nil when there is none.
    func property(_ name: String) -> Value?
    /// How the object renders (Java's `toString()`).
    var rendered: String { get }
}

extension TemplateObject {
    public func property(_ name: String) -> Value? {
        let getter = "get" + name.prefix(1).uppercased() + name.dropFirst()
        return (try? call(getter, [])) ?? nil
    }
}

/// Why evaluating a template stopped: what API Gateway logs as the transformation's failure.
public struct TemplateFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
