import TerminalUI

/// Something the user can do in a pane: its key, its footer label, its help text and palette name, whether it
/// shows in the footer, what it asks first when it is dangerous, why it cannot run now, and what it does. The footer,
/// the help dialog, the command palette and "ask first" are all made from these.
@MainActor
struct KeyAction {
    var key: Key
    var label: String
    var help: String
    /// Its name in the command palette (`flush-cache`).
    var command: String
    var visible = true
    /// When set, the action is dangerous and asks this (yes/no) before it runs.
    var confirm: String?
    /// When set, the action cannot run now, and this says why.
    var disabled: String?
    var run: @MainActor () async -> Void

    init(
        _ key: Key, _ label: String, _ help: String, command: String, visible: Bool = true, confirm: String? = nil,
        disabled: String? = nil, run: @escaping @MainActor () async -> Void
    ) {
        self.key = key
        self.label = label
        self.help = help
        self.command = command
        self.visible = visible
        self.confirm = confirm
        self.disabled = disabled
        self.run = run
    }
}

/// The keys every pane shares, for help and the footer (their handling is the console's own).
enum GlobalKeys {
    struct Entry {
        var keys: String
        var help: String
    }

    static let entries: [Entry] = [
        Entry(keys: "1–8 tab", help: "Go to a pane (tab and shift-tab: next, previous)"),
        Entry(keys: "↑↓ j k", help: "Move; pgup pgdn move a page"),
        Entry(keys: "enter l →", help: "Open the selected row"),
        Entry(keys: "esc h ←", help: "Back to where you came from; esc also closes a dialog"),
        Entry(keys: "/", help: "Filter the list as you type (enter keeps it, esc clears it)"),
        Entry(keys: ":", help: "Command palette: every action of the pane by name, theme NAME, quit"),
        Entry(keys: "?", help: "These keys"),
        Entry(keys: "q ctrl-c", help: "Quit Gatehouse (ctrl-c also from a dialog)"),
    ]
}
