import TerminalUI
import Testing

@testable import Console

/// The multi-line editor's keys, as a person editing a template uses them.
@Suite struct TextEditorTests {
    func edited(_ text: String, _ keys: [Key]) -> TextEditor {
        var editor = TextEditor(text)
        for key in keys { _ = editor.handle(key, height: 10) }
        return editor
    }

    @Test func enterSplitsTheLineAndKeepsItsIndentation() {
        let editor = edited("  #if($a)x#end", [.end, .left, .left, .left, .left, .enter])
        #expect(editor.text == "  #if($a)x\n  #end")
        #expect(editor.row == 1 && editor.column == 2)
    }

    @Test func backspaceAndDeleteJoinLines() {
        #expect(edited("ab\ncd", [.down, .backspace]).text == "abcd")
        #expect(edited("ab\ncd", [.end, .delete]).text == "abcd")
        #expect(edited("ab\ncd", [.right, .control("k")]).text == "a\ncd")
        #expect(edited("ab\ncd", [.end, .control("k")]).text == "abcd")
    }

    @Test func movingKeepsTheCursorInsideTheText() {
        let editor = edited("long line\nab\n", [.end, .down])
        #expect(editor.row == 1 && editor.column == 2)
        #expect(edited("a\nb", [.left]).column == 0)
        #expect(edited("a\nb", [.right, .right]).row == 1)
        #expect(edited("a\nb\nc", [.pageDown]).row == 2)
    }

    @Test func aTabKeepsItsPlaceAndTheTextComesBackByteForByte() {
        var editor = TextEditor("\tx\r\n€")
        #expect(editor.text == "\tx\r\n€")
        #expect(!editor.isModified)
        #expect(editor.lineCount == 2, "a CRLF ends a line")
        #expect(editor.shown(0) == "  x")
        _ = editor.handle(.right, height: 10)
        #expect(editor.cursorX == TextEditor.tabWidth)
        _ = editor.handle(.character("y"), height: 10)
        #expect(editor.isModified)
        #expect(editor.text == "\ty" + "x\r\n€")
    }

    @Test func scrollingFollowsTheCursor() {
        var editor = TextEditor((1...50).map(String.init).joined(separator: "\n"))
        for _ in 0..<30 { _ = editor.handle(.down, height: 10) }
        editor.reveal(width: 5, height: 10)
        #expect(editor.top == 21)
        for _ in 0..<3 { _ = editor.handle(.up, height: 10) }
        editor.reveal(width: 5, height: 10)
        #expect(editor.top == 21, "moving inside the view does not scroll")
        var wide = TextEditor(String(repeating: "x", count: 40))
        _ = wide.handle(.end, height: 10)
        wide.reveal(width: 10, height: 10)
        #expect(wide.left == 31 && wide.cursorX == 9)
    }

    @Test func goPutsTheCursorWhereASyntaxErrorIs() {
        var editor = TextEditor("a\nbcd\ne")
        editor.go(line: 2, column: 3)
        #expect(editor.row == 1 && editor.column == 2)
        editor.go(line: 99, column: 99)
        #expect(editor.row == 2 && editor.column == 1)
    }
}
