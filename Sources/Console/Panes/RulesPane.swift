import GatewayModel
import TerminalUI

/// The walkthrough's rules R1–R4, judged on what each stage serves.
struct RulesPane: PaneView {
    let app: ConsoleApp

    var title: String { "Rules" }
    var rowCount: Int { 0 }

    var actions: [KeyAction] {
        [
            KeyAction(
                .character("r"), "R3 rate", "Change the highest rate one client may reach (R3)", command: "max-rate"
            ) { openThreshold() }
        ]
    }

    func draw(_ canvas: inout Canvas, rect: Rect, state: ListState) {
        let roomy = rect.height > 30
        var y = paragraph(
            &canvas,
            roomy
                ? "Judged on what each stage serves (its deployment, settings and usage plans), not on the working copy."
                : "Judged on what each stage serves, not on the working copy.",
            x: rect.x, y: rect.y, width: rect.width, maxY: rect.maxY, role: "text.dim")
        y += 1
        // Each rule's places, then its notes; what does not fit is counted on the last line shown.
        let shown = roomy ? 6 : 1
        func list(_ items: [String], prefix: String, role: String) {
            for (index, item) in items.prefix(shown).enumerated() where y < rect.maxY {
                let more = index == shown - 1 && items.count > shown ? " (+\(items.count - shown) more)" : ""
                y = paragraph(
                    &canvas, prefix + item + more, x: rect.x, y: y, width: rect.width, maxY: rect.maxY, role: role)
            }
        }
        for rule in RuleCheck.check(model, thresholds: app.thresholds) where y < rect.maxY {
            let (mark, role) =
                switch rule.verdict {
                case .holds: ("✓", "rule.ok")
                case .broken: ("✗", "rule.broken")
                case .nothingDeployed: ("–", "text.dim")
                }
            let suffix = rule.verdict == .nothingDeployed ? " — nothing deployed" : ""
            y = paragraph(
                &canvas, "\(mark) \(rule.id)  \(rule.title)\(suffix)", x: rect.x, y: y, width: rect.width,
                maxY: rect.maxY, role: role, hang: 6)
            list(rule.broken, prefix: "    ", role: "text")
            list(rule.notes, prefix: "    ! ", role: "status.pending")
            if roomy { y += 1 }
        }
    }

    func openThreshold() {
        var form = Form()
        let rate = form.number("Max req/s", app.thresholds.maximumRate, in: 0.001...1e12)
        app.dialog = .form(
            "R3 threshold",
            [
                "The highest rate one client may reach: the lowest of its usage plan, the method, the stage and the account."
            ],
            form
        ) { form in
            app.thresholds.maximumRate = try form(rate)
            app.flashInfo("R3 allows \(RuleCheck.rate(app.thresholds.maximumRate)) req/s per client")
        }
    }
}
