import Foundation
import GatewayModel
import OrderedCollections
import Yams

/// Reads a JSON or YAML document into a `DocValue`, and finds the source line of a JSON pointer in it.
final class DocumentParser {
    /// The text of the document.
    let text: String
    /// Whether the document is JSON (else YAML).
    let isJSON: Bool
    private var composed: Node??

    init(data: Data) throws(ImportError) {
        guard let text = String(data: data, encoding: .utf8) else {
            throw ImportError("The document is not UTF-8 text")
        }
        self.text = text
        let first = text.unicodeScalars.first { !CharacterSet.whitespacesAndNewlines.contains($0) && $0 != "\u{FEFF}" }
        guard let first else { throw ImportError("The document is empty") }
        isJSON = first == "{" || first == "["
    }

    /// Parses the whole document.
    func parse() throws(ImportError) -> DocValue {
        isJSON ? try parseJSON() : try parseYAML()
    }

    /// The 1-based line where the value at `pointer` starts, when it can be told.
    func line(of pointer: String) -> Int? {
        if composed == nil { composed = .some(try? Yams.compose(yaml: text)) }
        guard case .some(.some(var node)) = composed else { return nil }
        for token in JSONPointer.tokens(pointer) {
            switch node {
            case .mapping(let mapping):
                guard let next = mapping.first(where: { $0.key.string == token })?.value else { return node.mark?.line }
                node = next
            case .sequence(let sequence):
                guard let index = Int(token), index < sequence.count else { return node.mark?.line }
                node = sequence[sequence.index(sequence.startIndex, offsetBy: index)]
            default:
                return node.mark?.line
            }
        }
        return node.mark?.line
    }

    // MARK: JSON

    private func parseJSON() throws(ImportError) -> DocValue {
        if let depth = DocumentParser.jsonDepthProblem(text) { throw depth }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        } catch {
            throw jsonSyntaxError(error)
        }
        return DocumentParser.value(fromJSON: object)
    }

    /// Refuses JSON nested deeper than `maximumDepth`, before parsing (so that no parser recurses that deep).
    static func jsonDepthProblem(_ text: String) -> ImportError? {
        var depth = 0
        var inString = false
        var escaped = false
        var line = 1
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n") { line += 1 }
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth > maximumDepth {
                    return ImportError(
                        "The document nests objects and arrays more than \(maximumDepth) deep (line \(line))",
                        line: line)
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
        }
        return nil
    }

    private func jsonSyntaxError(_ error: Error) -> ImportError {
        let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
        var reason = detail.trimmingCharacters(in: CharacterSet(charactersIn: ". "))
        var line: Int?
        var column: Int?
        if let range = detail.range(of: "around character ") {
            let digits = detail[range.upperBound...].prefix { $0.isNumber }
            if let offset = Int(digits) {
                (line, column) = position(ofUTF8Offset: offset)
                reason = String(detail[..<range.lowerBound]).trimmingCharacters(in: .whitespaces)
            }
        } else if detail.localizedCaseInsensitiveContains("end of file") {
            reason = "unexpected end of the document (is it cut short?)"
            (line, column) = position(ofUTF8Offset: text.utf8.count)
        }
        if reason.lowercased().hasPrefix("invalid value") { reason = "invalid value" }
        var message = "The document is not valid JSON: \(reason.prefix(1).lowercased() + reason.dropFirst())"
        if let line, let column { message += " (line \(line), column \(column))" }
        return ImportError(message, line: line)
    }

    private func position(ofUTF8Offset offset: Int) -> (Int, Int) {
        var line = 1
        var column = 1
        for (index, byte) in text.utf8.enumerated() {
            if index >= offset { break }
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }

    static func value(fromJSON object: Any) -> DocValue {
        switch object {
        case let dictionary as [String: Any]:
            var members = OrderedDictionary<String, DocValue>()
            members.reserveCapacity(dictionary.count)
            for key in dictionary.keys.sorted() { members[key] = value(fromJSON: dictionary[key]!) }
            return .object(members)
        case let array as [Any]:
            return .array(array.map(value(fromJSON:)))
        case let string as String:
            return .string(string)
        case let number as NSNumber:
            if JSONNumber.isBoolean(number) { return .bool(number.boolValue) }
            let type = String(cString: number.objCType)
            if type == "d" || type == "f" { return .double(number.doubleValue) }
            return .int(number.intValue)
        default:
            return .null
        }
    }

    // MARK: YAML

    private func parseYAML() throws(ImportError) -> DocValue {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw DocumentParser.yamlSyntaxError(error)
        } catch {
            throw ImportError("The document is not valid YAML: \(error)")
        }
        guard let node else { throw ImportError("The document is empty") }
        try DocumentParser.checkExpansion(of: node)
        composed = .some(node)
        return try DocumentParser.value(fromYAML: node, pointer: "")
    }

    /// The most nodes YAML aliases may add to a document when expanded. An alias stands for a whole subtree, so
    /// a few hundred bytes of nested aliases ("billion laughs") can stand for billions of nodes.
    static let maximumAliasExpansion = 100_000
    /// The deepest nesting of mappings and sequences a document may have.
    static let maximumDepth = 256

    /// Refuses a document whose aliases expand to more than `maximumAliasExpansion` nodes, or that nests deeper
    /// than `maximumDepth`, before anything is expanded. The composed document shares an aliased subtree
    /// wherever it is used; each distinct subtree (told by where it starts in the text) is sized once.
    static func checkExpansion(of root: Node) throws(ImportError) {
        struct Place: Hashable {
            var line: Int
            var column: Int
            var kind: Int
        }
        var sizes: [Place: Int] = [:]
        var distinct = 0
        var problem: ImportError?
        func place(_ node: Node) -> Place? {
            guard let mark = node.mark else { return nil }
            let kind: Int
            switch node {
            case .scalar: kind = 0
            case .sequence: kind = 1
            case .mapping: kind = 2
            case .alias: kind = 3
            }
            return Place(line: mark.line, column: mark.column, kind: kind)
        }
        // Expanded size of `node`, counting each distinct subtree once in `distinct`.
        func size(_ node: Node, depth: Int) -> Int {
            guard problem == nil else { return 0 }
            if depth > maximumDepth {
                problem = ImportError(
                    "The document nests mappings and sequences more than \(maximumDepth) deep", line: node.mark?.line)
                return 0
            }
            let key = place(node)
            if let key, let known = sizes[key] { return known }
            distinct += 1
            var total = 1
            switch node {
            case .sequence(let sequence):
                for item in sequence { total += size(item, depth: depth + 1) }
            case .mapping(let mapping):
                for (name, item) in mapping { total += size(name, depth: depth + 1) + size(item, depth: depth + 1) }
            case .scalar, .alias:
                break
            }
            total = min(total, Int.max / 4)
            if let key { sizes[key] = total }
            if total - distinct > maximumAliasExpansion, problem == nil {
                problem = ImportError(
                    "The document's YAML aliases expand to more than \(maximumAliasExpansion) nodes (near line \(node.mark?.line ?? 0)); Gatehouse refuses such a document, which would take unbounded memory",
                    line: node.mark?.line)
            }
            return total
        }
        _ = size(root, depth: 0)
        if let problem { throw problem }
    }

    static func yamlSyntaxError(_ error: YamlError) -> ImportError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var reason = problem
            if let context { reason += " (\(context.text))" }
            return ImportError(
                "The document is not valid YAML: \(reason) (line \(mark.line), column \(mark.column))", line: mark.line)
        case .reader(let problem, _, _, _):
            return ImportError("The document is not valid YAML: \(problem)")
        default:
            return ImportError("The document is not valid YAML: \(error)")
        }
    }

    static func value(fromYAML node: Node, pointer: String) throws(ImportError) -> DocValue {
        switch node {
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case Tag.Name.null: return .null
            case Tag.Name.bool: return node.bool.map(DocValue.bool) ?? .string(scalar.string)
            case Tag.Name.int: return node.int.map(DocValue.int) ?? .string(scalar.string)
            case Tag.Name.float: return node.float.map(DocValue.double) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .sequence(let sequence):
            var items: [DocValue] = []
            items.reserveCapacity(sequence.count)
            for (index, item) in sequence.enumerated() {
                items.append(try value(fromYAML: item, pointer: "\(pointer)/\(index)"))
            }
            return .array(items)
        case .mapping(let mapping):
            var members = OrderedDictionary<String, DocValue>()
            members.reserveCapacity(mapping.count)
            for (key, item) in mapping {
                guard let name = key.scalar?.string else {
                    throw ImportError(
                        "The document uses a non-scalar mapping key, which JSON cannot hold", pointer: pointer,
                        line: key.mark?.line)
                }
                if name == "<<" {
                    // A YAML merge key: fold the merged mapping in, without overriding.
                    if case .object(let merged) = try value(fromYAML: item, pointer: pointer) {
                        for (mergedKey, mergedValue) in merged where members[mergedKey] == nil {
                            members[mergedKey] = mergedValue
                        }
                    }
                    continue
                }
                if members[name] != nil {
                    throw ImportError(
                        "The key '\(name)' appears twice in the same mapping", pointer: pointer, line: key.mark?.line)
                }
                members[name] = try value(fromYAML: item, pointer: JSONPointer.append(pointer, name))
            }
            return .object(members)
        case .alias:
            return .null
        }
    }
}
