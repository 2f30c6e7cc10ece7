import Foundation
import TerminalUI

/// A modal form: labelled fields, one focused; enter on the last field (or ctrl-s) submits, esc cancels.
struct Dialog {
    enum Kind {
        case sampleOffer
        case importFile
        case deploy(api: String)
        case createKey
        case createPlan(api: String)
        case createLink
        case throttle(api: String, stage: String)
        case keyToPlan(key: String)
        case message
        case palette
        case filter
        case maxRate
        case methodRequest(api: String, resource: String, method: String)
        case integrationRequest(api: String, resource: String, method: String)
        case rollback(api: String, stage: String)
        case variables(api: String, stage: String)
        case deleteKey(key: String)
        case methodOverride(api: String, stage: String)
        case testInput(api: String, resource: String, method: String)
        case deleteLink(link: String)
        case cache(api: String, stage: String)
    }

    struct Field {
        var label: String
        var value: String
        /// When set, left and right cycle through these values.
        var choices: [String]?
    }

    var kind: Kind
    var title: String
    var text: [String] = []
    var fields: [Field] = []
    var focus = 0
    var error: String?
    var scroll = 0

    func value(_ label: String) -> String { fields.first { $0.label == label }?.value ?? "" }

    /// Handles a key; returns `.submit`, `.cancel` or nil to stay.
    mutating func handle(_ key: Key) -> Outcome? {
        switch key {
        case .escape: return .cancel
        case .enter:
            if fields.isEmpty || focus == fields.count - 1 { return .submit }
            focus += 1
        case .control("s"): return .submit
        case .tab where !fields.isEmpty && fields[focus].label == "File":
            fields[focus].value = Dialog.complete(path: fields[focus].value)
        case .tab, .down: if !fields.isEmpty { focus = (focus + 1) % fields.count } else { scroll += 1 }
        case .backTab, .up:
            if !fields.isEmpty {
                focus = (focus + fields.count - 1) % fields.count
            } else {
                scroll = max(0, scroll - 1)
            }
        case .pageDown: scroll += 10
        case .pageUp: scroll = max(0, scroll - 10)
        case .left, .right:
            guard !fields.isEmpty, let choices = fields[focus].choices, !choices.isEmpty else { return nil }
            let index = choices.firstIndex(of: fields[focus].value) ?? 0
            let step = key == .right ? 1 : choices.count - 1
            fields[focus].value = choices[(index + step) % choices.count]
        case .backspace:
            if !fields.isEmpty, fields[focus].choices == nil, !fields[focus].value.isEmpty {
                fields[focus].value.removeLast()
            }
        case .character(let character):
            if fields.isEmpty {
                if character == "y" { return .submit }
                if character == "n" { return .cancel }
            } else if fields[focus].choices == nil {
                fields[focus].value.append(character)
            } else if character == " " {
                return handle(.right)
            }
        default: break
        }
        return nil
    }

    enum Outcome { case submit, cancel }

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

    func draw(in canvas: inout Canvas, screen: Rect, theme: Theme, tier: ColorTier) {
        let labelColumns = min(18, (fields.map { TextWidth.of($0.label) }.max() ?? 0) + 1)
        let fieldColumns = (fields.map { TextWidth.of($0.value) + 6 }.max() ?? 0) + labelColumns + 6
        let width = min(screen.width - 4, max(50, (text.map(TextWidth.of).max() ?? 0) + 4, fieldColumns))
        let textRows = min(text.count, max(3, screen.height - 8 - fields.count))
        let height = min(screen.height - 2, 4 + textRows + fields.count + (error == nil ? 0 : 2))
        let rect = screen.centered(Size(width: width, height: height))
        let style = theme.style("modal", tier: tier)
        canvas.fill(rect, style: style)
        canvas.box(rect, style: style, title: title, titleStyle: theme.style("modal.title", tier: tier))
        var y = rect.y + 1
        let start = max(0, min(scroll, max(0, text.count - textRows)))
        for line in text.dropFirst(start).prefix(textRows) {
            canvas.text(line, x: rect.x + 2, y: y, style: style, maxWidth: rect.width - 4)
            y += 1
        }
        if !fields.isEmpty { y += 1 }
        let labelWidth = min(18, (fields.map { TextWidth.of($0.label) }.max() ?? 0) + 1)
        for (index, field) in fields.enumerated() {
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
        if let error {
            canvas.text(
                "✗ " + error, x: rect.x + 2, y: y + 1, style: theme.style("status.error", tier: tier).with([]),
                maxWidth: rect.width - 4)
        }
        let hint =
            fields.isEmpty
            ? (text.count > textRows ? "↑↓ scroll  esc close" : "y yes  n no  esc close")
            : "enter next/submit  ^s save  tab move  ←→ choose  esc cancel"
        canvas.text(
            hint, x: rect.x + 2, y: rect.maxY - 1, style: theme.style("modal.title", tier: tier),
            maxWidth: rect.width - 4)
    }
}
