import Foundation

/// The Java methods and properties templates use on strings, lists, maps, numbers and booleans.
enum Members {
    /// `.name`: a map's entry, else Java's `getName()` / `isName()`.
    static func property(of value: Value, _ name: String) -> Value? {
        switch value {
        case .map(let map): return map[name] ?? .null
        case .object(let box): return box.object.property(name)
        default:
            let capitalized = name.prefix(1).uppercased() + name.dropFirst()
            if let got = try? call(value, "get" + capitalized, []) { return got }
            if let got = try? call(value, "is" + capitalized, []) { return got }
            return nil
        }
    }

    /// `[index]` on a list (a position) or a map (a key).
    static func index(_ value: Value, _ index: Value) throws(TemplateFailure) -> Value? {
        switch value {
        case .list(let list):
            guard let position = Arithmetic.integer(index) else { return nil }
            guard position >= 0, position < list.items.count else {
                throw TemplateFailure("Index \(position) out of bounds for length \(list.items.count)")
            }
            return list.items[Int(position)]
        case .map(let map): return map[index.rendered] ?? .null
        default: return nil
        }
    }

    /// `.name(arguments)`; nil when the value has no such method.
    static func call(_ value: Value, _ name: String, _ arguments: [Value]) throws(TemplateFailure) -> Value? {
        if case .object(let box) = value { return try box.object.call(name, arguments) }
        switch (name, arguments.count) {
        case ("toString", 0): return .string(value.rendered)
        case ("equals", 1): return .bool(Arithmetic.javaEquals(value, arguments[0]))
        case ("hashCode", 0):
            if case .string(let text) = value { return .integer(Int64(javaHash(text))) }
        default: break
        }
        switch value {
        case .string(let text): return try stringMethod(text, name, arguments)
        case .list(let list): return try listMethod(list, name, arguments)
        case .map(let map): return mapMethod(map, name, arguments)
        case .integer, .bigInteger, .double:
            switch name {
            case "intValue":
                return .integer(Int64(truncatingIfNeeded: Int32(truncatingIfNeeded: Arithmetic.integer(value) ?? 0)))
            case "longValue": return Arithmetic.integer(value).map(Value.integer)
            case "doubleValue": return Arithmetic.number(value).map { .double($0.asDouble) }
            case "compareTo" where arguments.count == 1:
                let less = Arithmetic.compare(.less, value, arguments[0])
                return .integer(less ? -1 : (Arithmetic.equal(value, arguments[0]) ? 0 : 1))
            default: return nil
            }
        case .bool(let flag):
            return name == "booleanValue" ? .bool(flag) : nil
        default: return nil
        }
    }

    static func javaHash(_ text: String) -> Int32 {
        var hash: Int32 = 0
        for unit in text.utf16 { hash = hash &* 31 &+ Int32(unit) }
        return hash
    }

    static func textOf(_ value: Value?) -> String? {
        guard let value, !value.isNull else { return nil }
        return value.rendered
    }

    // MARK: String

    static func stringMethod(_ text: String, _ name: String, _ arguments: [Value]) throws(TemplateFailure) -> Value? {
        let units = Array(text.utf16)
        func position(_ index: Int) -> Int64? { arguments.count > index ? Arithmetic.integer(arguments[index]) : nil }
        func argument(_ index: Int) -> String? { arguments.count > index ? textOf(arguments[index]) : nil }
        func fromUnits(_ slice: ArraySlice<UInt16>) -> String { String(decoding: slice, as: UTF16.self) }
        func find(_ needle: String, from start: Int) -> Int {
            let pattern = Array(needle.utf16)
            if pattern.isEmpty { return min(max(start, 0), units.count) }
            var index = max(start, 0)
            while index + pattern.count <= units.count {
                if Array(units[index..<index + pattern.count]) == pattern { return index }
                index += 1
            }
            return -1
        }
        switch (name, arguments.count) {
        case ("length", 0): return .integer(Int64(units.count))
        case ("getBytes", 0): return .list(text.utf8.map { .integer(Int64(Int8(bitPattern: $0))) })
        case ("isEmpty", 0): return .bool(units.isEmpty)
        case ("charAt", 1):
            guard let index = position(0), index >= 0, index < units.count else {
                throw TemplateFailure("String index out of range: \(position(0) ?? -1)")
            }
            return .string(fromUnits(units[Int(index)...Int(index)]))
        case ("substring", 1), ("substring", 2):
            let begin = position(0) ?? 0
            let end = arguments.count == 2 ? position(1) ?? 0 : Int64(units.count)
            guard begin >= 0, end <= units.count, begin <= end else {
                throw TemplateFailure("begin \(begin), end \(end), length \(units.count)")
            }
            return .string(fromUnits(units[Int(begin)..<Int(end)]))
        case ("indexOf", 1), ("indexOf", 2):
            guard let needle = argument(0) else { return nil }
            return .integer(Int64(find(needle, from: Int(position(1) ?? 0))))
        case ("lastIndexOf", 1):
            guard let needle = argument(0) else { return nil }
            var last = -1
            var start = 0
            while true {
                let found = find(needle, from: start)
                if found < 0 || found >= units.count && !needle.isEmpty { break }
                last = found
                start = found + 1
                if start > units.count { break }
            }
            return .integer(Int64(last))
        case ("contains", 1):
            guard let needle = argument(0) else { return nil }
            return .bool(find(needle, from: 0) >= 0)
        case ("startsWith", 1):
            guard let prefix = argument(0) else { return nil }
            return .bool(units.starts(with: prefix.utf16))
        case ("endsWith", 1):
            guard let suffix = argument(0) else { return nil }
            return .bool(units.reversed().starts(with: Array(suffix.utf16).reversed()))
        case ("equalsIgnoreCase", 1):
            return .bool(argument(0).map { $0.lowercased() == text.lowercased() } ?? false)
        case ("toLowerCase", 0): return .string(text.lowercased())
        case ("toUpperCase", 0): return .string(text.uppercased())
        case ("trim", 0):
            var start = 0
            var end = units.count
            while start < end, units[start] <= 0x20 { start += 1 }
            while end > start, units[end - 1] <= 0x20 { end -= 1 }
            return .string(fromUnits(units[start..<end]))
        case ("concat", 1):
            guard let other = argument(0) else { throw TemplateFailure("concat(null)") }
            return .string(text + other)
        case ("replace", 2):
            guard let target = argument(0), let replacement = argument(1) else { return nil }
            if target.isEmpty {
                return .string(replacement + text.map { String($0) + replacement }.joined())
            }
            return .string(text.replacingOccurrences(of: target, with: replacement))
        case ("replaceAll", 2), ("replaceFirst", 2):
            guard let pattern = argument(0), let replacement = argument(1) else { return nil }
            let expression = try regex(pattern)
            let range = NSRange(text.startIndex..., in: text)
            if name == "replaceFirst" {
                guard let match = expression.firstMatch(in: text, range: range) else { return .string(text) }
                let replaced = expression.replacementString(
                    for: match, in: text, offset: 0, template: javaReplacement(replacement))
                return .string((text as NSString).replacingCharacters(in: match.range, with: replaced))
            }
            return .string(
                expression.stringByReplacingMatches(
                    in: text, range: range, withTemplate: javaReplacement(replacement)))
        case ("matches", 1):
            guard let pattern = argument(0) else { return nil }
            let expression = try regex("^(?:" + pattern + ")$")
            return .bool(expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil)
        case ("split", 1), ("split", 2):
            guard let pattern = argument(0) else { return nil }
            return .list(split(text, pattern: try regex(pattern)).map(Value.string))
        default: return nil
        }
    }

    static func regex(_ pattern: String) throws(TemplateFailure) -> NSRegularExpression {
        do {
            return try NSRegularExpression(pattern: pattern)
        } catch {
            throw TemplateFailure("Invalid regular expression: \(pattern)")
        }
    }

    /// Java's replacement syntax (`$1`, `\$`) in ICU's (the same, but ICU also reads `\\` escapes alike).
    static func javaReplacement(_ text: String) -> String { text }

    /// Java's `split`: no trailing empty strings; a leading empty string only when the first match is not at 0
    /// with width 0.
    static func split(_ text: String, pattern: NSRegularExpression) -> [String] {
        let ns = text as NSString
        var parts: [String] = []
        var start = 0
        for match in pattern.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            if match.range.length == 0 && match.range.location == 0 { continue }
            if match.range.length == 0 && match.range.location >= ns.length { continue }
            parts.append(ns.substring(with: NSRange(location: start, length: match.range.location - start)))
            start = match.range.location + match.range.length
        }
        parts.append(ns.substring(from: start))
        while parts.count > 1, parts.last == "" { parts.removeLast() }
        if parts == [""] && !text.isEmpty { return [] }
        return parts
    }

    // MARK: List

    static func listMethod(_ list: Value.ListBox, _ name: String, _ arguments: [Value]) throws(TemplateFailure)
        -> Value?
    {
        func index(_ position: Int, inclusive: Bool = false) throws(TemplateFailure) -> Int {
            guard let value = Arithmetic.integer(arguments[position]) else {
                throw TemplateFailure("An index is a whole number")
            }
            let bound = inclusive ? list.items.count : list.items.count - 1
            guard value >= 0, value <= bound else {
                throw TemplateFailure("Index \(value) out of bounds for length \(list.items.count)")
            }
            return Int(value)
        }
        switch (name, arguments.count) {
        case ("size", 0): return .integer(Int64(list.items.count))
        case ("isEmpty", 0): return .bool(list.items.isEmpty)
        case ("get", 1): return list.items[try index(0)]
        case ("contains", 1): return .bool(list.items.contains { Arithmetic.javaEquals($0, arguments[0]) })
        case ("indexOf", 1):
            return .integer(Int64(list.items.firstIndex { Arithmetic.javaEquals($0, arguments[0]) } ?? -1))
        case ("add", 1):
            list.items.append(arguments[0])
            return .bool(true)
        case ("add", 2):
            list.items.insert(arguments[1], at: try index(0, inclusive: true))
            return .string("")
        case ("addAll", 1):
            guard case .list(let other) = arguments[0] else { return nil }
            list.items += other.items
            return .bool(!other.items.isEmpty)
        case ("set", 2):
            let position = try index(0)
            let previous = list.items[position]
            list.items[position] = arguments[1]
            return previous
        case ("remove", 1):
            if let position = Arithmetic.integer(arguments[0]), case .integer = arguments[0] {
                guard position >= 0, position < list.items.count else {
                    throw TemplateFailure("Index \(position) out of bounds for length \(list.items.count)")
                }
                return list.items.remove(at: Int(position))
            }
            guard let found = list.items.firstIndex(where: { Arithmetic.javaEquals($0, arguments[0]) }) else {
                return .bool(false)
            }
            list.items.remove(at: found)
            return .bool(true)
        case ("subList", 2):
            let from = try index(0, inclusive: true)
            let to = try index(1, inclusive: true)
            guard from <= to else { throw TemplateFailure("fromIndex(\(from)) > toIndex(\(to))") }
            return .list(Array(list.items[from..<to]))
        case ("clear", 0):
            list.items.removeAll()
            return .string("")
        default: return nil
        }
    }

    // MARK: Map

    static func mapMethod(_ map: Value.MapBox, _ name: String, _ arguments: [Value]) -> Value? {
        switch (name, arguments.count) {
        case ("get", 1): return map[arguments[0].rendered] ?? .null
        case ("put", 2): return map.put(arguments[0].rendered, arguments[1])
        case ("containsKey", 1): return .bool(map[arguments[0].rendered] != nil)
        case ("containsValue", 1): return .bool(map.pairs.contains { Arithmetic.javaEquals($0.1, arguments[0]) })
        case ("remove", 1): return map.remove(arguments[0].rendered)
        case ("size", 0): return .integer(Int64(map.count))
        case ("isEmpty", 0): return .bool(map.count == 0)
        case ("keySet", 0): return .list(map.keys.map(Value.string))
        case ("values", 0): return .list(map.pairs.map(\.1))
        case ("entrySet", 0):
            return .list(map.pairs.map { .object(Value.ObjectBox(MapEntry(key: $0.0, value: $0.1))) })
        case ("putAll", 1):
            guard case .map(let other) = arguments[0] else { return nil }
            for (key, value) in other.pairs { map.put(key, value) }
            return .string("")
        default: return nil
        }
    }
}

/// An entry of `entrySet()`: `key=value`, with `getKey()` and `getValue()`.
final class MapEntry: TemplateObject {
    let key: String
    let value: Value

    init(key: String, value: Value) {
        self.key = key
        self.value = value
    }

    func call(_ name: String, _ arguments: [Value]) throws(TemplateFailure) -> Value? {
        switch name {
        case "getKey": .string(key)
        case "getValue": value
        case "toString": .string(rendered)
        default: nil
        }
    }

    var rendered: String { "\(key)=\(value.rendered)" }
}
