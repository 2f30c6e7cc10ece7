/// How many terminal columns text takes: two for East Asian wide and fullwidth characters, none for
/// combining marks and zero-width joiners, one otherwise.
public enum TextWidth {
    /// The columns of one character (a grapheme cluster takes the width of its first scalar).
    public static func of(_ character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        return of(scalar)
    }

    /// The columns of a scalar.
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value < 0x20 || (0x7F..<0xA0).contains(value) { return 0 }
        if value < 0x300 { return 1 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if isWide(value) { return 2 }
        return 1
    }

    /// The columns of a string.
    public static func of(_ text: String) -> Int { text.reduce(0) { $0 + of($1) } }

    static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
            0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    /// `text` cut to at most `columns` columns, with `…` when it was cut.
    public static func truncate(_ text: String, to columns: Int) -> String {
        guard columns > 0 else { return "" }
        if of(text) <= columns { return text }
        var result = ""
        var used = 0
        for character in text {
            let width = of(character)
            if used + width > columns - 1 { break }
            result.append(character)
            used += width
        }
        return result + "…"
    }

    /// `text` padded with spaces (or cut) to exactly `columns` columns.
    public static func pad(_ text: String, to columns: Int) -> String {
        let cut = truncate(text, to: columns)
        return cut + String(repeating: " ", count: max(0, columns - of(cut)))
    }

    /// `text` broken into lines of at most `columns` columns: at spaces where it can, inside a word where a word is
    /// longer than a line; nothing is dropped.
    public static func wrap(_ text: String, to columns: Int) -> [String] {
        guard columns > 0 else { return [text] }
        var lines: [String] = []
        for whole in text.split(separator: "\n", omittingEmptySubsequences: false) {
            // A paragraph's leading spaces indent each of its lines (a hanging indent), when there is room for it.
            let indent = String(whole.prefix { $0 == " " })
            guard indent.count < columns / 2 else {
                lines += wrap(String(whole.drop { $0 == " " }), to: columns)
                continue
            }
            let paragraph = whole.dropFirst(indent.count)
            let columns = columns - indent.count
            let first = lines.count
            defer { for index in first..<lines.count { lines[index] = indent + lines[index] } }
            var line = ""
            var used = 0
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: false) {
                var word = String(word)
                let space = line.isEmpty ? 0 : 1
                if used + space + of(word) <= columns {
                    if space == 1 { line += " " }
                    line += word
                    used += space + of(word)
                    continue
                }
                if !line.isEmpty {
                    lines.append(line)
                    line = ""
                    used = 0
                }
                while of(word) > columns {
                    var head = ""
                    var width = 0
                    while let first = word.first, width + of(first) <= columns {
                        head.append(first)
                        width += of(first)
                        word.removeFirst()
                    }
                    if head.isEmpty { break }
                    lines.append(head)
                }
                line = word
                used = of(word)
            }
            lines.append(line)
        }
        return lines
    }
}
