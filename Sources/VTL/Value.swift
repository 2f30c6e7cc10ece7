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

    /// A Java `LinkedHashMap`: keys in the order they were first put. Small maps (most of a JSON body's objects)
    /// are searched in place; past eight keys an index is kept.
    public final class MapBox: @unchecked Sendable {  // confined to the one evaluation that made it
        private var entries: [(key: String, value: Value)] = []
        private var index: [String: Int]?

        public init(_ pairs: [(String, Value)] = []) {
            entries.reserveCapacity(pairs.count)
            for (key, value) in pairs { put(key, value) }
        }

        private func position(of key: String) -> Int? {
            if let index { return index[key] }
            return entries.firstIndex { $0.key == key }
        }

        /// Puts a value; returns the previous one (Java's `put`).
        @discardableResult
        public func put(_ key: String, _ value: Value) -> Value {
            if let found = position(of: key) {
                let previous = entries[found].value
                entries[found].value = value
                return previous
            }
            entries.append((key, value))
            if index != nil {
                index?[key] = entries.count - 1
            } else if entries.count > 8 {
                index = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($0.element.key, $0.offset) })
            }
            return .null
        }

        public func remove(_ key: String) -> Value {
            guard let found = position(of: key) else { return .null }
            let previous = entries.remove(at: found).value
            if index != nil {
                index = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($0.element.key, $0.offset) })
            }
            return previous
        }

        /// A copy whose lists and maps are copies too.
        func deepCopy() -> MapBox {
            let copy = MapBox()
            copy.entries = entries.map { ($0.key, $0.value.copied) }
            copy.index = index
            return copy
        }

        public subscript(key: String) -> Value? { position(of: key).map { entries[$0].value } }
        public var count: Int { entries.count }
        public var keys: [String] { entries.map(\.key) }
        public var pairs: [(String, Value)] { entries.map { ($0.key, $0.value) } }
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
        case .map(let map): return .map(map.deepCopy())
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
