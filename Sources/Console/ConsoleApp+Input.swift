import Foundation
import GatewayModel
import TerminalUI
import VTL

extension ConsoleApp {
    var tooSmall: Bool {
        surface.size.width < Self.minimumSize.width || surface.size.height < Self.minimumSize.height
    }

    /// Handles one terminal event.
    func handle(_ event: TerminalEvent) async {
        switch event {
        case .resize:
            return
        case .click(let x, let y):
            guard dialog == nil, filtering == nil, !tooSmall else { return }
            let layout = self.layout
            if let target = layout.pane(atX: x, y: y) {
                pane = target
            } else if let row = layout.listRow(atX: x, y: y, listTop: view.listTop) {
                select(list(pane).offset + row)
            }
        case .key(let key):
            if key == .control("c") {
                running = false
                return
            }
            flashSeen = true
            if tooSmall {
                if key == .character("q") { running = false }
                return
            }
            if dialog != nil {
                await handleDialog(key)
            } else if let filtering {
                editFilter(key, of: filtering)
            } else {
                await handleKey(key)
            }
        }
    }

    func handleKey(_ key: Key) async {
        let view = self.view
        switch key {
        case .character("q"):
            running = false
        case .tab: pane = Pane(rawValue: (pane.rawValue + 1) % Pane.allCases.count)!
        case .backTab: pane = Pane(rawValue: (pane.rawValue + Pane.allCases.count - 1) % Pane.allCases.count)!
        case .character(let digit) where ("1"..."9").contains(digit):
            pane = Pane(rawValue: Int(String(digit))! - 1)!
        case .character("?"): showHelp()
        case .character(":"): openPalette()
        case .character("/") where view.filterable:
            filtering = pane
        case .up, .character("k"): move(-1)
        case .down, .character("j"): move(1)
        case .pageUp: move(-10)
        case .pageDown: move(10)
        case .home: move(-Int.max / 2)
        case .end: move(Int.max / 2)
        case .character("h"), .left, .escape: back()
        case .enter, .character("l"), .right: await view.open()
        default:
            if let action = view.actions.first(where: { $0.key == key }) { await perform(action) }
        }
    }

    /// Runs an action: says why when it cannot run, asks first when it is dangerous.
    func perform(_ action: KeyAction) async {
        if let reason = action.disabled { return flashError(reason) }
        if let question = action.confirm {
            dialog = .confirm(action.label.prefix(1).uppercased() + action.label.dropFirst(), question) {
                await action.run()
            }
            return
        }
        await action.run()
    }

    /// The filter line: each key narrows the list at once; enter keeps the filter, esc clears it.
    func editFilter(_ key: Key, of target: Pane) {
        var text = filters[target] ?? ""
        switch key {
        case .enter:
            filtering = nil
        case .escape:
            text = ""
            filtering = nil
        case .backspace:
            if !text.isEmpty { text.removeLast() }
        case .character(let character):
            text.append(character)
        default:
            return
        }
        filters[target] = text
        lists[target] = ListState()
        let visible = target == .apis ? ApisPane(app: self).visible : []
        if let first = visible.first, !visible.contains(where: { $0.id == selectedApi?.id }) {
            apiIndex = model.apis.firstIndex { $0.id == first.id } ?? apiIndex
        }
    }

    /// The rows the current pane's list can show on screen.
    var listHeight: Int { max(1, layout.content.height - view.listTop - view.rowsBelowList) }

    func move(_ delta: Int) {
        if pane == .apis {
            let visible = ApisPane(app: self).visible
            guard !visible.isEmpty else { return }
            let current = visible.firstIndex { $0.id == selectedApi?.id } ?? 0
            let row = max(0, min(visible.count - 1, current.addingReportingOverflow(delta).partialValue))
            apiIndex = model.apis.firstIndex { $0.id == visible[row].id } ?? apiIndex
            var state = list(.apis)
            state.move(row - state.selected, count: visible.count, height: listHeight)
            lists[.apis] = state
            return
        }
        var state = list(pane)
        state.move(max(-state.selected - 1, min(delta, Int.max / 4)), count: view.rowCount, height: listHeight)
        lists[pane] = state
    }

    func select(_ row: Int) {
        if pane == .apis {
            let visible = ApisPane(app: self).visible
            guard visible.indices.contains(row) else { return }
            apiIndex = model.apis.firstIndex { $0.id == visible[row].id } ?? 0
            var state = list(.apis)
            state.move(row - state.selected, count: visible.count, height: listHeight)
            lists[.apis] = state
            return
        }
        guard row < view.rowCount else { return }
        var state = list(pane)
        state.move(row - state.selected, count: view.rowCount, height: listHeight)
        lists[pane] = state
    }

    func handleDialog(_ key: Key) async {
        guard var current = dialog else { return }
        switch current.handle(key, screen: surface.size) {
        case .cancel?:
            dialog = nil
        case .submit?:
            current.error = nil
            guard let submit = current.submit else {
                dialog = nil
                return
            }
            dialog = nil
            do {
                try await submit(current.form)
            } catch let problem as FieldProblem {
                current.error = problem.message
                current.focus = problem.field
                dialog = current
            } catch let error as GatewayError {
                current.error = error.message
                dialog = current
            } catch let syntax as TemplateSyntaxError {
                // The editor's cursor goes where the template stops parsing.
                current.error = "Not saved: \(syntax)"
                current.editor.go(line: syntax.line, column: syntax.column)
                let area = Dialog.editorArea(screen: surface.size, dialog: current)
                current.editor.reveal(width: area.text.width, height: area.text.height)
                dialog = current
            } catch {
                current.error = "\(error)"
                dialog = current
            }
            // What the dialog changed shows at once.
            await reload()
        case nil:
            dialog = current
        }
    }

    func showHelp() {
        var text = ["Everywhere:"]
        for entry in GlobalKeys.entries {
            text.append("  \(TextWidth.pad(entry.keys, to: 11)) \t\(entry.help)")
        }
        text.append("")
        text.append("\(view.title):")
        for action in view.actions {
            let ask = action.confirm == nil ? "" : " (asks first)"
            text.append("  \(TextWidth.pad(action.key.description, to: 11)) \t\(action.help)\(ask)")
        }
        dialog = .message("Keys", text)
    }

    /// The command palette: every action of the pane by name, with completion, and the console's own commands.
    func openPalette() {
        var form = Form()
        let field = form.text(":")
        var palette = Dialog.form("Command", [], form) { [weak self] form in
            guard let self else { return }
            try await self.runCommand(form.text(field), field: field.index)
        }
        palette.edited = { [weak self] dialog in
            guard let self else { return }
            dialog.text = self.paletteLines(for: dialog.form.entries[0].value)
        }
        palette.complete = { [weak self] dialog in
            guard let self else { return }
            let typed = dialog.form.entries[0].value
            let names = self.commandNames.filter { $0.hasPrefix(typed) }
            guard var common = names.first else { return }
            for name in names.dropFirst() { while !name.hasPrefix(common) { common.removeLast() } }
            dialog.form.entries[0].value = names.count == 1 ? common + (common.hasSuffix(" ") ? "" : "") : common
            dialog.text = self.paletteLines(for: dialog.form.entries[0].value)
        }
        palette.text = paletteLines(for: "")
        dialog = palette
    }

    /// The names the palette knows: the pane's actions, then the console's own.
    var commandNames: [String] {
        view.actions.map(\.command) + ["theme", "quit"] + Pane.allCases.map { "go " + $0.view(self).title.lowercased() }
    }

    func paletteLines(for typed: String) -> [String] {
        let actions = view.actions.filter { typed.isEmpty || $0.command.hasPrefix(typed) || $0.command.contains(typed) }
        var lines = actions.map { "\(TextWidth.pad($0.command, to: 20)) \($0.key.description)  \($0.help)" }
        if typed.isEmpty || "theme".hasPrefix(typed) || typed.hasPrefix("theme") {
            lines.append(
                "\(TextWidth.pad("theme NAME", to: 20)) "
                    + Theme.available(in: options.themeDirectories).joined(separator: ", "))
        }
        if typed.isEmpty || "quit".hasPrefix(typed) { lines.append("\(TextWidth.pad("quit", to: 20)) Quit Gatehouse") }
        if typed.isEmpty || typed.hasPrefix("go") { lines.append("\(TextWidth.pad("go PANE", to: 20)) Open a pane") }
        return lines.isEmpty
            ? ["No command starts with '\(typed)' (tab completes, esc closes)"] : ["tab completes"] + lines
    }

    func runCommand(_ text: String, field: Int) async throws {
        let words = text.split(separator: " ").map(String.init)
        guard let first = words.first else { return }
        if let action = view.actions.first(where: { $0.command == first }) {
            await perform(action)
            return
        }
        switch first {
        case "theme":
            guard words.count == 2 else {
                throw FieldProblem(
                    field: field,
                    message: "theme NAME (\(Theme.available(in: options.themeDirectories).joined(separator: ", ")))")
            }
            do {
                theme = try Theme.load(name: words[1], from: options.themeDirectories)
                flashInfo("Theme \(words[1])")
            } catch { throw FieldProblem(field: field, message: error.description) }
        case "go":
            let name = words.dropFirst().joined(separator: " ").lowercased()
            guard let target = Pane.allCases.first(where: { $0.view(self).title.lowercased() == name }) else {
                throw FieldProblem(field: field, message: "No pane named '\(name)'")
            }
            pane = target
        case "quit", "q":
            running = false
        default:
            throw FieldProblem(
                field: field, message: "Unknown command: \(text) (tab completes; the list shows what \(view.title) has)"
            )
        }
    }
}
