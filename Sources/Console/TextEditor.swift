import TerminalUI

/// A multi-line text being edited: lines of characters, a cursor, and the first row and column shown. Keys move
/// and edit as in any terminal editor; tabs and wide characters keep their widths on screen.
struct TextEditor: Equatable {
    private(set) var lines: [[Character]]
    private(set) var row = 0
    private(set) var column = 0
    /// The first line and the first character of each line shown.
    private(set) var top = 0
    private(set) var left = 0
    let original: String

    init(_ text: String) {
        original = text
        // Split on the scalar, so that a CRLF line keeps its "\r" (shown as nothing) and comes back as it was.
        lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map {
            Array(String(String.UnicodeScalarView($0)))
        }
        if lines.isEmpty { lines = [[]] }
    }

    var text: String { lines.map { String($0) }.joined(separator: "\n") }
    var isModified: Bool { text != original }

    /// Columns a tab takes on screen.
    static let tabWidth = 2

    static func width(_ character: Character) -> Int {
        character == "\t" ? tabWidth : character == "\r" ? 0 : TextWidth.of(character)
    }

    /// Handles an editing or moving key; false for a key the editor does not use. `height` is the number of
    /// rows shown (page up and down move by it).
    mutating func handle(_ key: Key, height: Int) -> Bool {
        switch key {
        case .up: move(row: row - 1)
        case .down: move(row: row + 1)
        case .pageUp: move(row: row - max(1, height - 1))
        case .pageDown: move(row: row + max(1, height - 1))
        case .left:
            if column > 0 {
                column -= 1
            } else if row > 0 {
                row -= 1
                column = lines[row].count
            }
        case .right:
            if column < lines[row].count {
                column += 1
            } else if row + 1 < lines.count {
                row += 1
                column = 0
            }
        case .home, .control("a"): column = 0
        case .end, .control("e"): column = lines[row].count
        case .enter:
            // A new line keeps the indentation of the one it was split from.
            let indent = lines[row].prefix { $0 == " " || $0 == "\t" }
            let rest = Array(lines[row][column...])
            lines[row].removeSubrange(column...)
            lines.insert(Array(indent) + rest, at: row + 1)
            row += 1
            column = indent.count
        case .backspace:
            if column > 0 {
                lines[row].remove(at: column - 1)
                column -= 1
            } else if row > 0 {
                column = lines[row - 1].count
                lines[row - 1] += lines[row]
                lines.remove(at: row)
                row -= 1
            }
        case .delete, .control("d"):
            if column < lines[row].count {
                lines[row].remove(at: column)
            } else if row + 1 < lines.count {
                lines[row] += lines[row + 1]
                lines.remove(at: row + 1)
            }
        case .control("k"):
            // Cuts the rest of the line, or joins the next one when the cursor is at the end.
            if column < lines[row].count {
                lines[row].removeSubrange(column...)
            } else if row + 1 < lines.count {
                lines[row] += lines[row + 1]
                lines.remove(at: row + 1)
            }
        case .tab: insert("  ")
        case .character(let character): insert(String(character))
        default: return false
        }
        return true
    }

    mutating func insert(_ text: String) {
        for character in text {
            if character == "\n" {
                let rest = Array(lines[row][column...])
                lines[row].removeSubrange(column...)
                lines.insert(rest, at: row + 1)
                row += 1
                column = 0
            } else {
                lines[row].insert(character, at: column)
                column += 1
            }
        }
    }

    /// Puts the cursor on a line and column counted from 1, as a syntax error names them.
    mutating func go(line: Int, column: Int) {
        row = max(0, min(lines.count - 1, line - 1))
        self.column = max(0, min(lines[row].count, column - 1))
    }

    private mutating func move(row target: Int) {
        row = max(0, min(lines.count - 1, target))
        column = min(column, lines[row].count)
    }

    /// Scrolls so that the cursor is inside `width` × `height`.
    mutating func reveal(width: Int, height: Int) {
        if row < top { top = row }
        if row >= top + height { top = row - height + 1 }
        if column < left { left = column }
        // Scrolled right only as far as needed: the first character from which the cursor still fits, found
        // walking back from it once (a template may be one line of 300 KB).
        if cursorX >= width {
            var start = column
            var used = 0
            while start > left, used + TextEditor.width(lines[row][start - 1]) <= width - 1 {
                used += TextEditor.width(lines[row][start - 1])
                start -= 1
            }
            left = start
        }
    }

    /// The cursor's screen column inside the text area, after horizontal scrolling.
    var cursorX: Int {
        lines[row][min(left, lines[row].count)..<column].reduce(0) { $0 + TextEditor.width($1) }
    }

    /// A line as shown from the first visible character: tabs as spaces.
    func shown(_ index: Int) -> String {
        guard index < lines.count, left < lines[index].count else { return "" }
        return lines[index][left...].map {
            $0 == "\t" ? String(repeating: " ", count: TextEditor.tabWidth) : $0 == "\r" ? "" : String($0)
        }.joined()
    }

    var lineCount: Int { lines.count }

    /// What the cursor stands on, as drawn: a space at the end of a line or on a tab.
    var underCursor: String {
        guard column < lines[row].count, lines[row][column] != "\t", lines[row][column] != "\r" else { return " " }
        return String(lines[row][column])
    }
}
