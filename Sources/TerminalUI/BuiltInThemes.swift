/// The themes besides the default, compiled in so that an installed `gatehouse` has them wherever it runs.
/// `themes/` in the repository holds the same text for users to copy and change (a test keeps them equal).
extension Theme {
    /// Built-in theme name → its text.
    public static let builtInTexts: [String: String] = [
        "default": defaultText,
        "light": lightText,
        "high-contrast": highContrastText,
        "mono": monoText,
    ]

    static let lightText = """
        # Gatehouse light theme: the API Gateway console's light pages.
        screen = #16191f on #ffffff
        text = #16191f on #ffffff
        text.dim = #687078 on #ffffff
        text.strong = #000000 on #ffffff bold
        header = #ffffff on #232f3e
        header.accent = #ff9900 on #232f3e bold
        nav = #16191f on #f2f3f3
        nav.selected = #ffffff on #0073bb bold
        nav.title = #ec7211 on #f2f3f3 bold
        frame = #aab7b8 on #ffffff
        frame.focus = #ec7211 on #ffffff
        frame.title = #16191f on #ffffff bold
        breadcrumb = #687078 on #ffffff
        breadcrumb.current = #16191f on #ffffff bold
        footer = #16191f on #eaeded
        footer.key = #0073bb on #eaeded bold
        flash.info = #1d8102 on #ffffff bold
        flash.error = #ffffff on #d13212 bold
        table.header = #545b64 on #ffffff bold
        table.cursor = #ffffff on #0073bb bold
        status.ok = #1d8102 on #ffffff bold
        status.pending = #ec7211 on #ffffff
        status.error = #d13212 on #ffffff bold
        flow.node = #16191f on #eaeded
        flow.node.focus = #ffffff on #ec7211 bold
        flow.node.integration = #ffffff on #0073bb bold
        flow.arrow = #545b64 on #ffffff
        modal = #16191f on #f2f3f3
        modal.title = #ec7211 on #f2f3f3 bold
        input = #16191f on #ffffff underline
        input.focus = #ffffff on #0073bb
        sparkline = #0073bb on #ffffff
        rule.ok = #1d8102 on #ffffff bold
        rule.broken = #d13212 on #ffffff bold
        """

    static let highContrastText = """
        # Gatehouse high-contrast theme: black and white with pure accents, for low vision and bright rooms.
        screen = #ffffff on #000000
        text = #ffffff on #000000
        text.dim = #c0c0c0 on #000000
        text.strong = #ffffff on #000000 bold
        header = #000000 on #ffffff bold
        header.accent = #000000 on #ffff00 bold
        nav = #ffffff on #000000
        nav.selected = #000000 on #ffff00 bold
        nav.title = #ffff00 on #000000 bold
        frame = #ffffff on #000000
        frame.focus = #ffff00 on #000000 bold
        frame.title = #ffff00 on #000000 bold
        breadcrumb = #ffffff on #000000
        breadcrumb.current = #ffff00 on #000000 bold
        footer = #ffffff on #000000
        footer.key = #00ffff on #000000 bold underline
        flash.info = #00ff00 on #000000 bold
        flash.error = #ffffff on #ff0000 bold
        table.header = #ffffff on #000000 bold underline
        table.cursor = #000000 on #00ffff bold
        status.ok = #00ff00 on #000000 bold
        status.pending = #ffff00 on #000000 bold
        status.error = #ff0000 on #000000 bold
        flow.node = #ffffff on #000000
        flow.node.focus = #000000 on #ffff00 bold
        flow.node.integration = #000000 on #00ffff bold
        flow.arrow = #ffffff on #000000 bold
        modal = #ffffff on #000000
        modal.title = #ffff00 on #000000 bold
        input = #ffffff on #000000 underline
        input.focus = #000000 on #ffffff bold
        sparkline = #00ffff on #000000
        rule.ok = #00ff00 on #000000 bold
        rule.broken = #ff0000 on #000000 bold
        """

    static let monoText = """
        # Gatehouse mono theme: the terminal's own colours, with bold, reverse and underline only.
        screen = default
        text = default
        text.dim = default dim
        text.strong = default bold
        header = default reverse
        header.accent = default reverse bold
        nav = default
        nav.selected = default reverse
        nav.title = default bold
        frame = default
        frame.focus = default bold
        frame.title = default bold
        breadcrumb = default
        breadcrumb.current = default bold
        footer = default
        footer.key = default bold underline
        flash.info = default bold
        flash.error = default bold reverse
        table.header = default bold underline
        table.cursor = default reverse
        status.ok = default bold
        status.pending = default
        status.error = default bold reverse
        flow.node = default
        flow.node.focus = default reverse
        flow.node.integration = default bold
        flow.arrow = default
        modal = default
        modal.title = default bold
        input = default underline
        input.focus = default reverse
        sparkline = default
        rule.ok = default bold
        rule.broken = default bold reverse
        """
}
