import CNCurses
import Foundation
import TerminalUI

/// The real terminal, through ncursesw: the only code that calls curses. Every call happens on the thread
/// that created it (ncurses is not thread-safe).
public final class CursesSurface: Surface {
    public private(set) var size: Size
    public let colorTier: ColorTier
    private var screen: OpaquePointer?
    private var pairs: [PairKey: Int32] = [:]
    private var previous: Canvas?

    struct PairKey: Hashable {
        var foreground: Int32
        var background: Int32
    }

    /// Why the terminal could not be opened.
    public struct OpenError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Opens the terminal. `NO_COLOR` or a terminal without colours gives the mono tier.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws(OpenError) {
        setlocale(LC_ALL, "")
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw OpenError(description: "the console needs a terminal (standard input and output must be a TTY)")
        }
        guard let screen = gh_open_terminal() else {
            throw OpenError(
                description: "cannot open the terminal: TERM=\(environment["TERM"] ?? "(unset)") is unknown to ncurses")
        }
        self.screen = screen
        set_term(screen)
        set_escdelay(25)
        raw()
        noecho()
        keypad(gh_stdscr(), true)
        curs_set(0)
        mousemask(gh_button1_clicks(), nil)
        var tier = ColorTier.mono
        if environment["NO_COLOR"] == nil, has_colors() {
            start_color()
            use_default_colors()
            let colors = gh_colors()
            // Direct colour (a terminfo with RGB, such as xterm-direct): colour numbers are 0xRRGGBB.
            tier = colors >= 0x100_0000 ? .truecolor : colors >= 256 ? .palette256 : colors >= 8 ? .ansi16 : .mono
        }
        colorTier = tier
        size = Size(width: Int(gh_cols()), height: Int(gh_lines()))
    }

    deinit { close() }

    /// Restores the terminal. Safe to call more than once.
    public func close() {
        guard let screen else { return }
        endwin()
        delscreen(screen)
        self.screen = nil
    }

    public func present(_ canvas: Canvas) {
        guard screen != nil else { return }
        let full = previous?.size != canvas.size
        if full { erase() }
        for y in 0..<canvas.size.height {
            for x in 0..<canvas.size.width {
                let cell = canvas[x, y]
                if cell.isContinuation { continue }
                if !full, let previous, previous[x, y] == cell { continue }
                let scalar = cell.character.unicodeScalars.first?.value ?? 32
                _ = gh_put_cell(
                    Int32(y), Int32(x), wchar_t(bitPattern: scalar), attributes(cell.style), pair(cell.style))
            }
        }
        previous = canvas
        refresh()
    }

    /// OSC 52 to the terminal (written after ncurses' own output, which it does not disturb): the terminal, or tmux
    /// with `set-clipboard on`, puts the text on the clipboard, also over SSH.
    public func copy(_ text: String) {
        guard screen != nil else { return }
        let sequence = "\u{1B}]52;c;" + Data(text.utf8).base64EncodedString() + "\u{07}"
        // ncurses has flushed its output by the end of each refresh; the sequence goes straight to the terminal.
        let bytes = Array(sequence.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if result <= 0 { break }
            written += result
        }
    }

    /// Leaves curses mode for `body` (the terminal as the shell had it), then comes back and redraws whole.
    public func suspend(_ body: () -> Void) {
        guard screen != nil else { return body() }
        def_prog_mode()
        endwin()
        body()
        reset_prog_mode()
        previous = nil
        refresh()
    }

    public func nextEvent(timeoutMilliseconds: Int) -> TerminalEvent? {
        guard screen != nil else { return nil }
        timeout(Int32(timeoutMilliseconds))
        var value: wint_t = 0
        let result = get_wch(&value)
        if result == ERR { return nil }
        if result == KEY_CODE_YES {
            switch Int32(value) {
            case KEY_RESIZE:
                size = Size(width: Int(gh_cols()), height: Int(gh_lines()))
                previous = nil
                return .resize(size)
            case KEY_UP: return .key(.up)
            case KEY_DOWN: return .key(.down)
            case KEY_LEFT: return .key(.left)
            case KEY_RIGHT: return .key(.right)
            case KEY_PPAGE: return .key(.pageUp)
            case KEY_NPAGE: return .key(.pageDown)
            case KEY_HOME: return .key(.home)
            case KEY_END: return .key(.end)
            case KEY_BTAB: return .key(.backTab)
            case KEY_BACKSPACE: return .key(.backspace)
            case KEY_DC: return .key(.delete)
            case KEY_ENTER: return .key(.enter)
            case KEY_MOUSE:
                var event = MEVENT()
                if getmouse(&event) == OK { return .click(x: Int(event.x), y: Int(event.y)) }
                return nil
            default:
                let code = Int32(value)
                if code >= KEY_F0 + 1 && code <= KEY_F0 + 12 { return .key(.function(Int(code - KEY_F0))) }
                return nil
            }
        }
        switch value {
        case 9: return .key(.tab)
        case 10, 13: return .key(.enter)
        case 27: return .key(.escape)
        case 8, 127: return .key(.backspace)
        case 1...26: return .key(.control(Character(Unicode.Scalar(UInt8(value) + 96))))
        default:
            guard let scalar = Unicode.Scalar(UInt32(value)) else { return nil }
            return .key(.character(Character(scalar)))
        }
    }

    private func attributes(_ style: Style) -> attr_t {
        var result: attr_t = 0
        if style.attributes.contains(.bold) { result |= gh_attr_bold() }
        if style.attributes.contains(.reverse) { result |= gh_attr_reverse() }
        if style.attributes.contains(.underline) { result |= gh_attr_underline() }
        if style.attributes.contains(.dim) { result |= gh_attr_dim() }
        return result
    }

    private func pair(_ style: Style) -> Int32 {
        guard colorTier != .mono else { return 0 }
        let key = PairKey(foreground: color(style.foreground), background: color(style.background))
        if key.foreground == -1 && key.background == -1 { return 0 }
        if let existing = pairs[key] { return existing }
        let number = Int32(pairs.count + 1)
        guard number < gh_color_pairs() else { return 0 }
        init_extended_pair(number, key.foreground, key.background)
        pairs[key] = number
        return number
    }

    /// The terminal colour number for a theme colour (-1 for the terminal's default).
    private func color(_ color: Color) -> Int32 {
        switch color {
        case .default: return -1
        case .ansi(let number): return Int32(number)
        case .rgb(let red, let green, let blue):
            switch colorTier {
            case .truecolor: return Int32(red) << 16 | Int32(green) << 8 | Int32(blue)
            case .ansi16: return Int32(Palette.nearestANSI(red, green, blue))
            default: return Int32(Palette.nearest256(red, green, blue))
            }
        }
    }
}

/// The xterm palettes, for showing RGB theme colours on terminals that have 256 or 16 colours.
enum Palette {
    static let levels: [Int] = [0, 95, 135, 175, 215, 255]

    /// The nearest colour of the 6×6×6 cube or the grey ramp.
    static func nearest256(_ red: UInt8, _ green: UInt8, _ blue: UInt8) -> Int {
        func index(_ value: UInt8) -> Int {
            levels.enumerated().min { abs($0.element - Int(value)) < abs($1.element - Int(value)) }!.offset
        }
        let (r, g, b) = (index(red), index(green), index(blue))
        let cube = 16 + 36 * r + 6 * g + b
        let cubeDistance = distance((levels[r], levels[g], levels[b]), (Int(red), Int(green), Int(blue)))
        let average = (Int(red) + Int(green) + Int(blue)) / 3
        let greyIndex = max(0, min(23, (average - 3) / 10))
        let grey = 8 + 10 * greyIndex
        let greyDistance = distance((grey, grey, grey), (Int(red), Int(green), Int(blue)))
        return greyDistance < cubeDistance ? 232 + greyIndex : cube
    }

    static let ansi: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255),
        (255, 255, 255),
    ]

    /// The nearest of the 16 ANSI colours.
    static func nearestANSI(_ red: UInt8, _ green: UInt8, _ blue: UInt8) -> Int {
        ansi.enumerated().min {
            distance($0.element, (Int(red), Int(green), Int(blue)))
                < distance($1.element, (Int(red), Int(green), Int(blue)))
        }!.offset
    }

    static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        (a.0 - b.0) * (a.0 - b.0) + (a.1 - b.1) * (a.1 - b.1) + (a.2 - b.2) * (a.2 - b.2)
    }
}

extension CursesSurface {
    /// Restores the terminal when the process dies of a fatal signal, then lets the signal do its work.
    public static func restoreTerminalOnCrash() {
        for number in [SIGSEGV, SIGABRT, SIGILL, SIGBUS, SIGFPE, SIGTRAP] {
            signal(number) { received in
                endwin()
                signal(received, SIG_DFL)
                raise(received)
            }
        }
    }
}
