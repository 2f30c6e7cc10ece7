import Foundation
import TerminalUI

/// A modal over the panes: a form (enter on the last field or ctrl-s submits), a message to read (scrolls), a
/// question that `y` answers, or a multi-line text editor (ctrl-s saves). esc closes; ctrl-c quits from here too.
@MainActor
struct Dialog {
    enum Kind { case form, message, confirm, editor }

    var kind: Kind
    var title: String
    var text: [String]
    var form = Form()
    var focus = 0
    var error: String?
    var scroll = 0
    /// Carries out a form or a confirmed question; throws `FieldProblem` for a field in error, or any error to show.
    var submit: (@MainActor (Form) async throws -> Void)?
    /// Told after each edit (the palette lists what matches).
    var edited: (@MainActor (inout Dialog) -> Void)?
    /// Told on tab in a field that does not complete paths (the palette completes a command).
    var complete: (@MainActor (inout Dialog) -> Void)?
    /// The text of an editor dialog.
    var editor = TextEditor("")
    /// An editor's esc with unsaved changes asks once; the second esc discards them.
    var discardArmed = false

    static func message(_ title: String, _ text: [String]) -> Dialog {
        Dialog(kind: .message, title: title, text: text)
    }

    static func confirm(_ title: String, _ question: String, run: @escaping @MainActor () async throws -> Void)
        -> Dialog
    {
        Dialog(kind: .confirm, title: title, text: [question], submit: { _ in try await run() })
    }

    static func form(
        _ title: String, _ text: [String], _ form: Form, submit: @escaping @MainActor (Form) async throws -> Void
    ) -> Dialog {
        Dialog(kind: .form, title: title, text: text, form: form, submit: submit)
    }

    /// A full-screen editor of `initial`; ctrl-s hands the text to `save`, which may throw to keep the editor
    /// open with its error (a `TemplateSyntaxError`'s line and column move the cursor there).
    static func editor(
        _ title: String, _ text: [String], _ initial: String,
        save: @escaping @MainActor (String) async throws -> Void
    ) -> Dialog {
        var form = Form()
        _ = form.text("Text", initial)
        var dialog = Dialog(kind: .editor, title: title, text: text, form: form) { form in
            try await save(form.entries[0].value)
        }
        dialog.editor = TextEditor(initial)
        return dialog
    }

    enum Outcome { case submit, cancel }

    /// Handles a key; returns `.submit`, `.cancel` or nil to stay. `screen` is the size the dialog is drawn in.
    mutating func handle(_ key: Key, screen: Size = Size(width: 80, height: 24)) -> Outcome? {
        switch kind {
        case .editor:
            return handleEditor(key, area: Dialog.editorArea(screen: screen, dialog: self))
        case .message:
            switch key {
            case .escape, .enter, .character("q"): return .cancel
            case .down, .character("j"): scroll += 1
            case .up, .character("k"): scroll = max(0, scroll - 1)
            case .pageDown, .character(" "): scroll += 10
            case .pageUp: scroll = max(0, scroll - 10)
            default: break
            }
            return nil
        case .confirm:
            switch key {
            case .character("y"), .character("Y"): return .submit
            case .character("n"), .character("N"), .escape: return .cancel
            default: return nil
            }
        case .form:
            return handleForm(key)
        }
    }

    private mutating func handleEditor(_ key: Key, area: EditorArea) -> Outcome? {
        switch key {
        case .control("s"):
            form.entries[0].value = editor.text
            return .submit
        case .escape:
            guard editor.isModified, !discardArmed else { return .cancel }
            discardArmed = true
            error = "Unsaved changes: esc again discards them, ctrl-s saves"
            return nil
        default:
            if discardArmed {
                discardArmed = false
                error = nil
            }
            _ = editor.handle(key, height: area.text.height)
            editor.reveal(width: area.text.width, height: area.text.height)
            return nil
        }
    }

    /// Where an editor dialog draws: the whole screen but a margin, its explanation, the line numbers and the text.
    struct EditorArea {
        var frame: Rect
        var explanation: [String]
        var gutter: Int
        var text: Rect
        var errorLines: [String]
    }

    static func editorArea(screen: Size, dialog: Dialog) -> EditorArea {
        // The screen's origin is the canvas's: the dialog is drawn where this says.
        let frame = Rect(x: 1, y: 1, width: max(20, screen.width - 2), height: max(8, screen.height - 2))
        let inner = frame.width - 4
        let explanation = Array(dialog.text.flatMap { Dialog.wrap($0, to: inner) }.prefix(2))
        let errorLines = dialog.error.map { Array(TextWidth.wrap("✗ " + $0, to: inner).prefix(2)) } ?? []
        let gutter = String(max(dialog.editor.lineCount, 99)).count + 1
        let top = frame.y + 1 + explanation.count + (explanation.isEmpty ? 0 : 1)
        let bottom = frame.maxY - 1 - errorLines.count
        let text = Rect(
            x: frame.x + 2 + gutter, y: top, width: max(1, inner - gutter), height: max(1, bottom - top))
        return EditorArea(frame: frame, explanation: explanation, gutter: gutter, text: text, errorLines: errorLines)
    }

    private mutating func handleForm(_ key: Key) -> Outcome? {
        let count = form.entries.count
        switch key {
        case .escape: return .cancel
        case .enter:
            if count == 0 || focus == count - 1 { return .submit }
            focus += 1
        case .control("s"): return .submit
        case .tab where count > 0 && form.entries[focus].completesPath:
            form.entries[focus].value = Dialog.complete(path: form.entries[focus].value)
        case .tab where complete != nil:
            complete?(&self)
        case .tab, .down: if count > 0 { focus = (focus + 1) % count }
        case .backTab, .up: if count > 0 { focus = (focus + count - 1) % count }
        case .pageDown: scroll += 10
        case .pageUp: scroll = max(0, scroll - 10)
        case .left, .right:
            guard count > 0, let choices = form.entries[focus].choices, !choices.isEmpty else { return nil }
            let index = choices.firstIndex(of: form.entries[focus].value) ?? 0
            let step = key == .right ? 1 : choices.count - 1
            form.entries[focus].value = choices[(index + step) % choices.count]
        case .backspace:
            if count > 0, form.entries[focus].choices == nil, !form.entries[focus].value.isEmpty {
                form.entries[focus].value.removeLast()
                edited?(&self)
            }
        case .character(let character):
            guard count > 0 else { return nil }
            if form.entries[focus].choices == nil {
                form.entries[focus].value.append(character)
                edited?(&self)
            } else if character == " " {
                return handleForm(.right)
            }
        default: break
        }
        return nil
    }

    /// Completes a file path as a shell does: the longest common prefix of the names that match, `/` after a
    /// directory.
    static func complete(path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        let directory = path.hasSuffix("/") ? expanded : (expanded as NSString).deletingLastPathComponent
        let prefix = path.hasSuffix("/") ? "" : (expanded as NSString).lastPathComponent
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)) ?? [])
            .filter { $0.hasPrefix(prefix) && !$0.hasPrefix(".") || (prefix.hasPrefix(".") && $0.hasPrefix(prefix)) }
            .sorted()
        guard let first = names.first else { return path }
        var common = first
        for name in names.dropFirst() { while !name.hasPrefix(common) { common.removeLast() } }
        let base = directory.isEmpty ? "" : (directory.hasSuffix("/") ? directory : directory + "/")
        var result = base + common
        var isDirectory: ObjCBool = false
        if names.count == 1, FileManager.default.fileExists(atPath: result, isDirectory: &isDirectory),
            isDirectory.boolValue
        {
            result += "/"
        }
        return result
    }

    /// A line of text wrapped to the dialog; a tab marks the column its continuation lines start at
    /// (`  key  \tWhat it does` keeps the help text in its column).
    static func wrap(_ line: String, to columns: Int) -> [String] {
        guard let tab = line.firstIndex(of: "\t") else { return TextWidth.wrap(line, to: columns) }
        let head = String(line[..<tab])
        let indent = TextWidth.of(head)
        guard indent < columns / 2 else { return TextWidth.wrap(head + line[line.index(after: tab)...], to: columns) }
        let body = TextWidth.wrap(String(line[line.index(after: tab)...]), to: columns - indent)
        return body.enumerated().map { ($0.offset == 0 ? head : String(repeating: " ", count: indent)) + $0.element }
    }

    /// The key hints on the dialog's last row: its own, never the pane's.
    var hint: String {
        switch kind {
        case .message: "↑↓ scroll  esc close"
        case .confirm: "y yes  n no  esc cancel"
        case .form: "enter next/submit  ctrl-s save  tab move  ←→ choose  esc cancel"
        case .editor:
            "ctrl-s save  esc cancel  ctrl-k cut line  \(editor.row + 1):\(editor.column + 1)"
                + (editor.isModified ? "  modified" : "")
        }
    }

    func draw(in canvas: inout Canvas, screen: Rect, theme: Theme, tier: ColorTier) {
        if kind == .editor { return drawEditor(in: &canvas, screen: screen, theme: theme, tier: tier) }
        let entries = form.entries
        let labelWidth = min(24, (entries.map { TextWidth.of($0.label) }.max() ?? 0) + 1)
        let fieldColumns = (entries.map { TextWidth.of($0.value) + 6 }.max() ?? 0) + labelWidth + 6
        let widest = text.map(TextWidth.of).max() ?? 0
        let width = min(screen.width - 4, max(50, min(widest + 4, 100), fieldColumns, TextWidth.of(hint) + 4))
        let inner = width - 4
        let wrapped = text.flatMap { Dialog.wrap($0, to: inner) }
        let errorLines = error.map { TextWidth.wrap("✗ " + $0, to: inner) } ?? []
        let fixed = 3 + entries.count + (entries.isEmpty ? 0 : 1) + (errorLines.isEmpty ? 0 : errorLines.count + 1)
        let textRows = max(0, min(wrapped.count, screen.height - 2 - fixed))
        let height = min(screen.height - 2, fixed + textRows)
        let rect = screen.centered(Size(width: width, height: height))
        let style = theme.style("modal", tier: tier)
        canvas.fill(rect, style: style)
        canvas.box(rect, style: style, title: title, titleStyle: theme.style("modal.title", tier: tier))
        var y = rect.y + 1
        let start = max(0, min(scroll, max(0, wrapped.count - textRows)))
        for line in wrapped.dropFirst(start).prefix(textRows) {
            canvas.text(line, x: rect.x + 2, y: y, style: style, maxWidth: inner)
            y += 1
        }
        if !entries.isEmpty { y += 1 }
        for (index, field) in entries.enumerated() {
            canvas.text(field.label, x: rect.x + 2, y: y, style: style, maxWidth: labelWidth)
            let role = index == focus ? "input.focus" : "input"
            let shown = field.choices == nil ? field.value + (index == focus ? "▏" : "") : "‹ \(field.value) ›"
            let fieldWidth = rect.width - 5 - labelWidth
            canvas.fill(
                Rect(x: rect.x + 3 + labelWidth, y: y, width: fieldWidth, height: 1),
                style: theme.style(role, tier: tier))
            canvas.text(
                String(shown.suffix(fieldWidth)), x: rect.x + 3 + labelWidth, y: y,
                style: theme.style(role, tier: tier), maxWidth: fieldWidth)
            y += 1
        }
        if !errorLines.isEmpty {
            y += 1
            for line in errorLines where y < rect.maxY - 1 {
                canvas.text(
                    line, x: rect.x + 2, y: y, style: theme.style("status.error", tier: tier).with([]), maxWidth: inner)
                y += 1
            }
        }
        let more = wrapped.count > textRows ? "  (\(start + 1)–\(start + textRows) of \(wrapped.count))" : ""
        canvas.text(
            hint + more, x: rect.x + 2, y: rect.maxY - 1, style: theme.style("modal.title", tier: tier),
            maxWidth: inner)
    }

    private func drawEditor(in canvas: inout Canvas, screen: Rect, theme: Theme, tier: ColorTier) {
        let area = Dialog.editorArea(screen: Size(width: screen.width, height: screen.height), dialog: self)
        let style = theme.style("modal", tier: tier)
        let frame = area.frame
        let text = area.text
        canvas.fill(frame, style: style)
        canvas.box(frame, style: style, title: title, titleStyle: theme.style("modal.title", tier: tier))
        let inner = frame.width - 4
        for (index, line) in area.explanation.enumerated() {
            canvas.text(line, x: frame.x + 2, y: frame.y + 1 + index, style: style, maxWidth: inner)
        }
        let input = theme.style("input", tier: tier)
        let number = theme.style("modal", tier: tier).with(.dim)
        canvas.fill(text, style: input)
        for offset in 0..<text.height {
            let index = editor.top + offset
            guard index < editor.lineCount else { break }
            let label = String(index + 1)
            canvas.text(
                String(repeating: " ", count: max(0, area.gutter - 1 - label.count)) + label, x: frame.x + 2,
                y: text.y + offset, style: number, maxWidth: area.gutter)
            canvas.text(editor.shown(index), x: text.x, y: text.y + offset, style: input, maxWidth: text.width)
        }
        // The cursor: the cell under it drawn reversed.
        let cursorY = text.y + editor.row - editor.top
        if cursorY >= text.y, cursorY < text.maxY {
            let x = text.x + min(editor.cursorX, text.width - 1)
            canvas.text(editor.underCursor, x: x, y: cursorY, style: input.with(.reverse), maxWidth: 2)
        }
        for (index, line) in area.errorLines.enumerated() {
            canvas.text(
                line, x: frame.x + 2, y: text.maxY + index, style: theme.style("status.error", tier: tier).with([]),
                maxWidth: inner)
        }
        canvas.text(
            hint, x: frame.x + 2, y: frame.maxY - 1, style: theme.style("modal.title", tier: tier), maxWidth: inner)
    }
}
