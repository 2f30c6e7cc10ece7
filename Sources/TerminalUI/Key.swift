/// A key the user pressed.
public enum Key: Hashable, Sendable, CustomStringConvertible {
    case character(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace, delete
    case function(Int)
    case control(Character)

    public var description: String {
        switch self {
        case .character(" "): "space"
        case .character(let character): String(character)
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .pageUp: "pgup"
        case .pageDown: "pgdn"
        case .home: "home"
        case .end: "end"
        case .enter: "enter"
        case .escape: "esc"
        case .tab: "tab"
        case .backTab: "shift-tab"
        case .backspace: "backspace"
        case .delete: "del"
        case .function(let number): "F\(number)"
        case .control(let character): "ctrl-\(character)"
        }
    }
}

/// Something that happened at the terminal.
public enum TerminalEvent: Equatable, Sendable {
    case key(Key)
    case resize(Size)
    /// A mouse click at a cell.
    case click(x: Int, y: Int)
}
