import Foundation

/// A theme: semantic roles (`frame.focus`, `table.cursor`, `status.error` …) mapped to styles. Roles a theme
/// file leaves out come from the built-in default; on a terminal without colour every role falls back to its
/// attribute (bold, reverse, underline) alone.
public struct Theme: Sendable, Equatable {
    public let name: String
    public private(set) var styles: [String: Style]

    /// Every role the console draws with, and the attributes it keeps in the mono tier.
    public static let roles: [String: Attributes] = [
        "screen": [], "text": [], "text.dim": [.dim], "text.strong": [.bold],
        "header": [.reverse], "header.accent": [.reverse, .bold],
        "nav": [], "nav.selected": [.reverse], "nav.title": [.bold],
        "frame": [], "frame.focus": [.bold], "frame.title": [.bold],
        "breadcrumb": [], "breadcrumb.current": [.bold],
        "footer": [], "footer.key": [.bold, .underline],
        "flash.info": [.bold], "flash.error": [.bold, .reverse],
        "table.header": [.bold, .underline], "table.cursor": [.reverse],
        "status.ok": [.bold], "status.pending": [], "status.error": [.bold, .reverse],
        "flow.node": [], "flow.node.focus": [.reverse], "flow.node.integration": [.bold], "flow.arrow": [],
        "modal": [], "modal.title": [.bold], "input": [.underline], "input.focus": [.reverse],
        "sparkline": [], "rule.ok": [.bold], "rule.broken": [.bold, .reverse],
    ]

    /// The built-in default: the API Gateway console's dark squid ink with orange accents.
    public static let builtInDefault: Theme = {
        // themes/default.theme holds the same roles, for users to copy and change.
        try! Theme.parse(name: "default", text: Theme.defaultText, base: nil)
    }()

    static let defaultText = """
        # Gatehouse default theme: API Gateway console colours, dark squid ink with orange accents.
        screen = #d5dbdb on #161e2d
        text = #d5dbdb on #161e2d
        text.dim = #879596 on #161e2d
        text.strong = #ffffff on #161e2d bold
        header = #ffffff on #232f3e
        header.accent = #ff9900 on #232f3e bold
        nav = #d5dbdb on #232f3e
        nav.selected = #161e2d on #ff9900 bold
        nav.title = #ff9900 on #232f3e bold
        frame = #545b64 on #161e2d
        frame.focus = #ff9900 on #161e2d
        frame.title = #ffffff on #161e2d bold
        breadcrumb = #879596 on #161e2d
        breadcrumb.current = #ffffff on #161e2d bold
        footer = #879596 on #232f3e
        footer.key = #ff9900 on #232f3e bold
        flash.info = #1d8102 on #161e2d bold
        flash.error = #ffffff on #d13212 bold
        table.header = #879596 on #161e2d bold
        table.cursor = #ffffff on #0073bb bold
        status.ok = #1d8102 on #161e2d bold
        status.pending = #ff9900 on #161e2d
        status.error = #ff5d64 on #161e2d bold
        flow.node = #d5dbdb on #232f3e
        flow.node.focus = #161e2d on #ff9900 bold
        flow.node.integration = #ffffff on #0073bb bold
        flow.arrow = #879596 on #161e2d
        modal = #d5dbdb on #232f3e
        modal.title = #ff9900 on #232f3e bold
        input = #ffffff on #37475a
        input.focus = #161e2d on #ff9900
        sparkline = #44b9d6 on #161e2d
        rule.ok = #1d8102 on #161e2d bold
        rule.broken = #ff5d64 on #161e2d bold
        """

    /// The style of a role in a colour tier.
    public func style(_ role: String, tier: ColorTier) -> Style {
        if tier == .mono { return Style(attributes: Theme.roles[role] ?? []) }
        return styles[role] ?? Theme.builtInDefault.styles[role] ?? .plain
    }

    /// Reads a theme file's text: lines `role = FOREGROUND [on BACKGROUND] [bold] [reverse] [underline] [dim]`,
    /// colours `#rrggbb`, `ansi0`–`ansi15` or `default`; `#` followed by a space starts a comment. Roles left out
    /// come from `base`.
    public static func parse(name: String, text: String, base: Theme? = Theme.builtInDefault) throws(ThemeError)
        -> Theme
    {
        var styles = base?.styles ?? [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("# ") || line == "#" { continue }
            let number = index + 1
            guard let equals = line.firstIndex(of: "=") else {
                throw ThemeError(name: name, line: number, message: "expected `role = colour …`, found `\(line)`")
            }
            let role = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard roles[role] != nil else {
                throw ThemeError(name: name, line: number, message: "unknown role `\(role)`")
            }
            var style = Style()
            var tokens = line[line.index(after: equals)...].split(separator: " ").map(String.init)[...]
            guard let first = tokens.popFirst(), let foreground = Color(parsing: first) else {
                throw ThemeError(
                    name: name, line: number, message: "`\(role)` needs a colour: #rrggbb, ansi0–ansi15 or default")
            }
            style.foreground = foreground
            while let token = tokens.popFirst() {
                switch token.lowercased() {
                case "on":
                    guard let next = tokens.popFirst(), let background = Color(parsing: next) else {
                        throw ThemeError(name: name, line: number, message: "`on` needs a background colour")
                    }
                    style.background = background
                case "bold": style.attributes.insert(.bold)
                case "reverse": style.attributes.insert(.reverse)
                case "underline": style.attributes.insert(.underline)
                case "dim": style.attributes.insert(.dim)
                default:
                    throw ThemeError(
                        name: name, line: number,
                        message: "unknown word `\(token)` (use on, bold, reverse, underline, dim)")
                }
            }
            styles[role] = style
        }
        var theme = Theme(name: name, styles: [:])
        theme.styles = styles
        return theme
    }

    init(name: String, styles: [String: Style]) {
        self.name = name
        self.styles = styles
    }

    /// Loads the theme `name` from the first directory that has `name.theme`, else the built-in theme of that name.
    public static func load(name: String, from directories: [URL]) throws(ThemeError) -> Theme {
        for directory in directories {
            let file = directory.appendingPathComponent("\(name).theme")
            guard let data = FileManager.default.contents(atPath: file.path) else { continue }
            return try parse(name: name, text: String(decoding: data, as: UTF8.self))
        }
        if name == "default" { return builtInDefault }
        if let text = builtInTexts[name] { return try parse(name: name, text: text) }
        throw ThemeError(
            name: name, line: nil,
            message: "no theme named \(name) (built in: \(builtInTexts.keys.sorted().joined(separator: ", "))"
                + (directories.isEmpty ? "" : "; looked in \(directories.map(\.path).joined(separator: ", "))") + ")")
    }

    /// The names of the built-in themes and of those in `directories`.
    public static func available(in directories: [URL]) -> [String] {
        var names = Set(builtInTexts.keys)
        for directory in directories {
            for file in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            where file.hasSuffix(".theme") {
                names.insert(String(file.dropLast(".theme".count)))
            }
        }
        return names.sorted()
    }
}

/// Why a theme could not be read.
public struct ThemeError: Error, Sendable, CustomStringConvertible {
    public var name: String
    public var line: Int?
    public var message: String

    public var description: String {
        "theme \(name)" + (line.map { ", line \($0)" } ?? "") + ": " + message
    }
}
