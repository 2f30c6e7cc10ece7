import Foundation

/// JSON read into template values as JSONPath (json-smart) reads it: objects as ordered maps, arrays as JSON
/// arrays (which render as JSON), integers as integers, other numbers as doubles.
enum JSONReader {
    struct Failure: Error {}

    static func parse(_ text: String) -> Value? {
        var reader = Reader(Array(text.utf8))
        reader.skipSpace()
        guard let value = try? reader.value(depth: 0) else { return nil }
        reader.skipSpace()
        return reader.index == reader.bytes.count ? value : nil
    }

    struct Reader {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws(Failure) -> Value {
            guard depth < 512, index < bytes.count else { throw Failure() }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                let map = Value.MapBox()
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .map(map)
                }
                while true {
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw Failure() }
                    let key = try string()
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw Failure() }
                    index += 1
                    skipSpace()
                    map.put(key, try value(depth: depth + 1))
                    skipSpace()
                    guard index < bytes.count else { throw Failure() }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    guard bytes[index] == UInt8(ascii: "}") else { throw Failure() }
                    index += 1
                    return .map(map)
                }
            case UInt8(ascii: "["):
                index += 1
                var items: [Value] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .list(items, json: true)
                }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard index < bytes.count else { throw Failure() }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    guard bytes[index] == UInt8(ascii: "]") else { throw Failure() }
                    index += 1
                    return .list(items, json: true)
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"): try word("true"); return .bool(true)
            case UInt8(ascii: "f"): try word("false"); return .bool(false)
            case UInt8(ascii: "n"): try word("null"); return .null
            default:
                return try number()
            }
        }

        mutating func word(_ text: StaticString) throws(Failure) {
            let count = text.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw Failure() }
            for offset in 0..<count where bytes[index + offset] != text.utf8Start[offset] { throw Failure() }
            index += count
        }

        mutating func number() throws(Failure) -> Value {
            let start = index
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            var floating = false
            while index < bytes.count {
                let byte = bytes[index]
                if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                    index += 1
                } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
                    || ((byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")) && floating)
                {
                    floating = true
                    index += 1
                } else {
                    break
                }
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            guard !text.isEmpty, text != "-" else { throw Failure() }
            if floating {
                // json-smart keeps a number written with more than 18 characters exactly (a BigDecimal).
                if text.count > 18, let decimal = Decimal(string: text), decimal.isFinite {
                    return .bigInteger(decimal)
                }
                guard let double = Double(text) else { throw Failure() }
                return .double(double)
            }
            if let integer = Int64(text) { return .integer(integer) }
            guard let big = JavaNumber.bigInteger(text) else { throw Failure() }
            return big
        }

        mutating func string() throws(Failure) -> String {
            index += 1
            // The common case, no escapes: the bytes as they are.
            var end = index
            while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\") { end += 1 }
            if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
                let text = String(decoding: bytes[index..<end], as: UTF8.self)
                index = end + 1
                return text
            }
            var scalars = String.UnicodeScalarView()
            var start = index
            func flush() {
                scalars.append(contentsOf: String(decoding: bytes[start..<index], as: UTF8.self).unicodeScalars)
            }
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    flush()
                    index += 1
                    return String(scalars)
                }
                if byte == UInt8(ascii: "\\") {
                    flush()
                    index += 1
                    guard index < bytes.count else { throw Failure() }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "n"): scalars.append("\n")
                    case UInt8(ascii: "t"): scalars.append("\t")
                    case UInt8(ascii: "r"): scalars.append("\r")
                    case UInt8(ascii: "b"): scalars.append("\u{08}")
                    case UInt8(ascii: "f"): scalars.append("\u{0C}")
                    case UInt8(ascii: "u"):
                        var code = try hex4()
                        if (0xD800..<0xDC00).contains(code), index + 1 < bytes.count,
                            bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                        {
                            index += 2
                            let low = try hex4()
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        }
                        scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                    default: scalars.append(Unicode.Scalar(escape))
                    }
                    start = index
                    continue
                }
                index += 1
            }
            throw Failure()
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard index + 4 <= bytes.count,
                let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
            else { throw Failure() }
            index += 4
            return code
        }
    }
}

/// JSONPath as `$input.path` and `$input.json` evaluate it (Jayway JsonPath): a definite path (names and single
/// indexes) gives the value or null; an indefinite one (`*`, `..`, slices, several indexes, filters) a JSON array
/// of what matched.
enum JSONPath {
    indirect enum Step {
        case name([String])
        case index([Int])
        case slice(Int?, Int?)
        case wildcard
        case deep(Step)
        case filter(Filter)
    }

    indirect enum Filter {
        case exists([String])
        case compare([String], String, Value)
        case and(Filter, Filter)
        case or(Filter, Filter)
    }

    struct Invalid: Error {}

    static func evaluate(_ path: String, on root: Value) -> Value {
        guard let steps = try? parse(path) else { return .null }
        var definite = true
        var current: [Value] = [root]
        for step in steps {
            if case .name = step {
            } else if case .index(let indexes) = step, indexes.count == 1 {
                // Jayway 2.0 reads a negative single index as nothing.
                if indexes[0] < 0 { return .null }
            } else {
                definite = false
            }
            current = current.flatMap { apply(step, to: $0, definite: definite) }
        }
        if definite { return current.first ?? .null }
        return .list(current, json: true)
    }

    static func apply(_ step: Step, to value: Value, definite: Bool) -> [Value] {
        switch step {
        case .name(let names):
            guard case .map(let map) = value else { return [] }
            if names.count > 1 {
                let picked = Value.MapBox()
                for name in names { if let found = map[name] { picked.put(name, found) } }
                return [.map(picked)]
            }
            return map[names[0]].map { [$0] } ?? []
        case .index(let indexes):
            guard case .list(let list) = value else { return [] }
            return indexes.compactMap { index in
                let position = index < 0 ? list.items.count + index : index
                return list.items.indices.contains(position) ? list.items[position] : nil
            }
        case .slice(let from, let to):
            guard case .list(let list) = value else { return [] }
            let count = list.items.count
            var start = from ?? 0
            var end = to ?? count
            if start < 0 { start = max(0, count + start) }
            if end < 0 { end = max(0, count + end) }
            start = min(start, count)
            end = min(end, count)
            return start < end ? Array(list.items[start..<end]) : []
        case .wildcard:
            switch value {
            case .map(let map): return map.pairs.map(\.1)
            case .list(let list): return list.items
            default: return []
            }
        case .deep(let inner):
            var found = apply(inner, to: value, definite: false)
            let children: [Value]
            switch value {
            case .map(let map): children = map.pairs.map(\.1)
            case .list(let list): children = list.items
            default: children = []
            }
            for child in children { found += apply(.deep(inner), to: child, definite: false) }
            return found
        case .filter(let filter):
            let items: [Value]
            switch value {
            case .list(let list): items = list.items
            case .map: items = [value]
            default: items = []
            }
            return items.filter { matches(filter, $0) }
        }
    }

    static func lookup(_ path: [String], in value: Value) -> Value? {
        var current = value
        for name in path {
            guard case .map(let map) = current, let next = map[name] else { return nil }
            current = next
        }
        return current
    }

    static func matches(_ filter: Filter, _ value: Value) -> Bool {
        switch filter {
        case .exists(let path): return lookup(path, in: value) != nil
        case .and(let left, let right): return matches(left, value) && matches(right, value)
        case .or(let left, let right): return matches(left, value) || matches(right, value)
        case .compare(let path, let operation, let expected):
            guard let actual = lookup(path, in: value) else { return false }
            switch operation {
            case "==":
                return Arithmetic.javaEquals(actual, expected)
                    || Arithmetic.equal(actual, expected) && sameKind(actual, expected)
            case "!=":
                return
                    !(Arithmetic.javaEquals(actual, expected)
                    || Arithmetic.equal(actual, expected) && sameKind(actual, expected))
            case "<": return Arithmetic.compare(.less, actual, expected) || stringOrder(actual, expected) { $0 < $1 }
            case "<=":
                return Arithmetic.compare(.lessOrEqual, actual, expected) || stringOrder(actual, expected) { $0 <= $1 }
            case ">": return Arithmetic.compare(.greater, actual, expected) || stringOrder(actual, expected) { $0 > $1 }
            case ">=":
                return Arithmetic.compare(.greaterOrEqual, actual, expected)
                    || stringOrder(actual, expected) { $0 >= $1 }
            case "=~":
                guard case .string(let text) = actual, case .string(let pattern) = expected,
                    let regex = try? NSRegularExpression(pattern: pattern)
                else { return false }
                return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            default: return false
            }
        }
    }

    static func sameKind(_ left: Value, _ right: Value) -> Bool {
        (Arithmetic.number(left) != nil) == (Arithmetic.number(right) != nil)
    }

    static func stringOrder(_ left: Value, _ right: Value, _ order: (String, String) -> Bool) -> Bool {
        guard case .string(let a) = left, case .string(let b) = right else { return false }
        return order(a, b)
    }

    // MARK: Parsing

    static func parse(_ path: String) throws(Invalid) -> [Step] {
        var scalars = Array(path.trimmingCharacters(in: .whitespaces).unicodeScalars)
        guard scalars.first == "$" else { throw Invalid() }
        scalars.removeFirst()
        var index = 0
        var steps: [Step] = []
        func name() -> String {
            var text = ""
            while index < scalars.count, !".[( ".unicodeScalars.contains(scalars[index]) {
                text.unicodeScalars.append(scalars[index])
                index += 1
            }
            return text
        }
        while index < scalars.count {
            if scalars[index] == "." {
                index += 1
                var deep = false
                if index < scalars.count, scalars[index] == "." {
                    deep = true
                    index += 1
                }
                let step: Step
                if index < scalars.count, scalars[index] == "*" {
                    index += 1
                    step = .wildcard
                } else if index < scalars.count, scalars[index] == "[" {
                    step = try bracket(scalars, &index)
                } else {
                    let word = name()
                    guard !word.isEmpty else { throw Invalid() }
                    if index < scalars.count, scalars[index] == "(" { throw Invalid() }
                    step = .name([word])
                }
                steps.append(deep ? .deep(step) : step)
            } else if scalars[index] == "[" {
                steps.append(try bracket(scalars, &index))
            } else {
                throw Invalid()
            }
        }
        return steps
    }

    static func bracket(_ scalars: [Unicode.Scalar], _ index: inout Int) throws(Invalid) -> Step {
        index += 1
        var depth = 1
        var content = ""
        var quote: Unicode.Scalar?
        while index < scalars.count {
            let scalar = scalars[index]
            if let open = quote {
                if scalar == open { quote = nil }
            } else if scalar == "'" || scalar == "\"" {
                quote = scalar
            } else if scalar == "[" {
                depth += 1
            } else if scalar == "]" {
                depth -= 1
                if depth == 0 { break }
            }
            content.unicodeScalars.append(scalar)
            index += 1
        }
        guard index < scalars.count else { throw Invalid() }
        index += 1
        let inner = content.trimmingCharacters(in: .whitespaces)
        if inner == "*" { return .wildcard }
        if inner.hasPrefix("?(") && inner.hasSuffix(")") {
            return .filter(try filter(String(inner.dropFirst(2).dropLast())))
        }
        if inner.hasPrefix("'") || inner.hasPrefix("\"") {
            let names = inner.split(separator: ",").map { part -> String in
                let trimmed = part.trimmingCharacters(in: .whitespaces)
                return String(trimmed.dropFirst().dropLast())
            }
            return .name(names)
        }
        if inner.contains(":") {
            let parts = inner.split(separator: ":", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard parts.count == 2 else { throw Invalid() }
            return .slice(Int(parts[0]), Int(parts[1]))
        }
        let indexes = inner.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !indexes.isEmpty else { throw Invalid() }
        return .index(indexes)
    }

    static func filter(_ text: String) throws(Invalid) -> Filter {
        if let range = text.range(of: "||") {
            return .or(try filter(String(text[..<range.lowerBound])), try filter(String(text[range.upperBound...])))
        }
        if let range = text.range(of: "&&") {
            return .and(try filter(String(text[..<range.lowerBound])), try filter(String(text[range.upperBound...])))
        }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for operation in ["==", "!=", "<=", ">=", "=~", "<", ">"] {
            guard let range = trimmed.range(of: operation) else { continue }
            let left = trimmed[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
            let right = trimmed[range.upperBound...].trimmingCharacters(in: .whitespaces)
            return .compare(try member(left), operation, literal(right))
        }
        return .exists(try member(trimmed))
    }

    static func member(_ text: String) throws(Invalid) -> [String] {
        guard text.hasPrefix("@") else { throw Invalid() }
        return text.dropFirst().split(separator: ".").map(String.init)
    }

    static func literal(_ text: String) -> Value {
        // Jayway 2.0 takes only single-quoted strings in filters; a double-quoted one matches nothing.
        if text.hasPrefix("\"") { return .object(Value.ObjectBox(Unmatchable())) }
        if text.hasPrefix("'") && text.hasSuffix("'"), text.count >= 2 {
            return .string(String(text.dropFirst().dropLast()))
        }
        if text.hasPrefix("/") {
            let body = text.dropFirst()
            if let end = body.lastIndex(of: "/") { return .string(String(body[..<end])) }
        }
        return JSONReader.parse(text) ?? .string(text)
    }
}

/// A filter operand nothing equals.
final class Unmatchable: TemplateObject {
    func call(_ name: String, _ arguments: [Value]) throws(TemplateFailure) -> Value? { nil }
    var rendered: String { "\u{0}unmatchable" }
}
