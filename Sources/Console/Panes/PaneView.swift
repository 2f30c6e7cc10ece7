import GatewayModel
import TerminalUI

/// The panes of the console, in the order of the left navigation.
enum Pane: Int, CaseIterable {
    case apis, resources, stages, apiKeys, usagePlans, vpcLinks, rules, logs, functions

    /// The type that draws the pane and declares what it does.
    @MainActor
    func view(_ app: ConsoleApp) -> any PaneView {
        switch self {
        case .apis: ApisPane(app: app)
        case .resources: ResourcesPane(app: app)
        case .stages: StagesPane(app: app)
        case .apiKeys: ApiKeysPane(app: app)
        case .usagePlans: UsagePlansPane(app: app)
        case .vpcLinks: VpcLinksPane(app: app)
        case .rules: RulesPane(app: app)
        case .logs: LogsPane(app: app)
        case .functions: FunctionsPane(app: app)
        }
    }
}

/// One pane: its title and breadcrumb, the actions it owns, its list (rows to move over, where they start), and a
/// draw of the model into its region that changes nothing.
@MainActor
protocol PaneView {
    var app: ConsoleApp { get }
    var title: String { get }
    /// The parts after the pane's place in the navigation (`APIs › pictures (abc) › Resources › /api › GET`).
    var breadcrumb: [String] { get }
    var actions: [KeyAction] { get }
    /// Rows of the pane's list (0 for a pane without one).
    var rowCount: Int { get }
    /// The row of the content region where the list's first row is drawn (below a table header: 1).
    var listTop: Int { get }
    /// Rows at the bottom of the content region that are not the list's.
    var rowsBelowList: Int { get }
    /// Whether `/` filters this pane.
    var filterable: Bool { get }
    /// What `enter` does on the selected row.
    func open() async
    func draw(_ canvas: inout Canvas, rect: Rect, state: ListState)
}

extension PaneView {
    var breadcrumb: [String] { [title] }
    var listTop: Int { 1 }
    var rowsBelowList: Int { 0 }
    var filterable: Bool { false }
    func open() async {}

    var model: ConsoleModel { app.model }
    var theme: Theme { app.theme }
    var tier: ColorTier { app.tier }
    func style(_ role: String) -> Style { app.style(role) }
    var selection: Int { app.list(app.pane).selected }

    /// Whether a row with these texts passes the pane's filter.
    func matches(_ texts: [String], _ pane: Pane) -> Bool {
        guard let filter = app.filters[pane], !filter.isEmpty else { return true }
        return texts.contains { $0.localizedCaseInsensitiveContains(filter) }
    }

    /// A pane with nothing to show: what is missing, then how to get it.
    func empty(_ canvas: inout Canvas, rect: Rect, _ lines: [String]) {
        var y = rect.y + 1
        for (index, line) in lines.enumerated() {
            for part in TextWidth.wrap(line, to: rect.width - 2) where y < rect.maxY {
                canvas.text(
                    part, x: rect.x + 1, y: y, style: style(index == 0 ? "text" : "text.dim"), maxWidth: rect.width - 2)
                y += 1
            }
        }
    }

    /// Lines of text wrapped to the region from `y`; returns the row after the last.
    /// Lines after the first are indented by `hang` columns.
    @discardableResult
    func paragraph(
        _ canvas: inout Canvas, _ text: String, x: Int, y: Int, width: Int, maxY: Int, role: String, hang: Int = 0
    ) -> Int {
        var row = y
        var lines = TextWidth.wrap(text, to: width)
        if hang > 0, hang < width / 2, lines.count > 1 {
            let rest = TextWidth.wrap(lines.dropFirst().joined(separator: " "), to: width - hang)
            lines = [lines[0]] + rest.map { String(repeating: " ", count: hang) + $0 }
        }
        for line in lines where row < maxY {
            canvas.text(line, x: x, y: row, style: style(role), maxWidth: width)
            row += 1
        }
        return row
    }
}
