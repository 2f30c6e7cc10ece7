import GatewayModel
import TerminalUI

/// The method execution diagram: Client → Method Request → Integration Request → backend, and back through
/// Integration Response → Method Response → Client, each box with its settings.
enum FlowDiagram {
    /// Draws the flow; returns the rows it took.
    @discardableResult
    static func draw(
        _ method: Method, resource: Resource, model: ConsoleModel, in canvas: inout Canvas, rect: Rect, theme: Theme,
        tier: ColorTier, focus: Int
    ) -> Int {
        let integration = method.methodIntegration
        let backend: [String]
        if let integration {
            if integration.connectionType == .vpcLink {
                let link = model.links.first { $0.id == integration.connectionId }
                backend = [
                    "VPC link " + (integration.connectionId ?? "?"),
                    link.map { "\($0.name) \($0.status.rawValue)" } ?? "",
                    link.flatMap { model.balancer(of: $0) }.map { "→ " + $0.name } ?? "",
                ]
            } else if integration.type == .mock {
                backend = ["Mock endpoint", "", ""]
            } else if let name = integration.lambdaFunction {
                let function = model.functions.first { $0.name == name }
                backend = [
                    "Lambda " + name,
                    function?.runs ?? "not registered: 500",
                    function.map { "timeout \($0.timeout) s, max \($0.concurrency)" } ?? "",
                ]
            } else {
                backend = ["HTTP endpoint", integration.uri ?? "", ""]
            }
        } else {
            backend = ["No integration", "", ""]
        }
        var boxes: [(String, [String])] = [
            (
                "Method Request",
                [
                    "Auth: \(method.authorizationType.rawValue)",
                    "API key: \(method.apiKeyRequired ? "required" : "no")",
                    "Params: \(method.requestParameters.count)",
                ]
            ),
            (
                "Integration Request",
                integration.map {
                    [
                        "Type: \($0.connectionType == .vpcLink ? "VPC link" : $0.lambdaFunction != nil ? ($0.isProxy ? "Lambda proxy" : "Lambda") : $0.type.rawValue)",
                        "Proxy: \($0.isProxy ? "on" : "off")  \($0.httpMethod ?? "")",
                        $0.requestTemplates.isEmpty
                            ? "Timeout: \($0.timeoutInMillis) ms"
                            : "Templates: "
                                + $0.requestTemplates.keys.sorted().map(FlowDiagram.short).joined(separator: " "),
                    ]
                } ?? ["(not set)", "v: VPC link proxy", "e: edit"]
            ),
            ("Backend", backend),
            (
                "Integration Response",
                integration?.isProxy == true
                    ? ["Proxy integration", "answer passed on", "as it came"]
                    : [
                        "Responses: \(integration?.integrationResponses.keys.sorted().joined(separator: " ") ?? "none")",
                        templateCount(integration) == 0 ? "" : "Templates: \(templateCount(integration))",
                        integration == nil ? "" : "M: edit templates",
                    ]
            ),
            (
                "Method Response",
                [
                    "Statuses: "
                        + (method.methodResponses.keys.sorted().joined(separator: " ").isEmpty
                            ? "—" : method.methodResponses.keys.sorted().joined(separator: " ")),
                    "", "",
                ]
            ),
        ]
        let arrow = theme.style("flow.arrow", tier: tier)
        let boxWidth = (rect.width - 12) / 3
        if boxWidth < 23 {
            let short = ["Method Req.", "Integration Req.", "Backend", "Integration Resp.", "Method Resp."]
            for index in boxes.indices { boxes[index].0 = short[index] }
        }
        guard boxWidth >= 20, rect.height >= 11 else {
            // Narrow: the same flow as a column. The roomiest form that fits: each box's settings wrapped below
            // its name between the two Clients; then without the Clients; then a box a line, wrapped; then cut.
            let width = max(1, rect.width - 4)
            var forms: [[(String, String)]] = []
            var named: [(String, String)] = []
            var compact: [(String, String)] = []
            var cut: [(String, String)] = []
            for (index, box) in boxes.enumerated() {
                let role = index == 2 ? "flow.node.integration" : "flow.node"
                let settings = box.1.filter { !$0.isEmpty }.joined(separator: ", ")
                let arrow = index == 3 ? "↩ " : "↓ "
                named.append((arrow + box.0, role))
                named += TextWidth.wrap(settings, to: width).map { ("    " + $0, "text") }
                let line = TextWidth.wrap(arrow + box.0 + ": " + settings, to: rect.width)
                compact.append((line[0], role))
                if line.count > 1 {
                    compact += TextWidth.wrap(line.dropFirst().joined(separator: " "), to: width).map {
                        ("    " + $0, role)
                    }
                }
                cut.append((arrow + box.0 + ": " + settings, role))
            }
            forms = [[("  Client", "text.strong")] + named + [("↓ Client", "text.strong")], named, compact, cut]
            let chosen = forms.first { $0.count <= rect.height } ?? cut
            var y = rect.y
            for (text, role) in chosen where y < rect.maxY {
                canvas.text(text, x: rect.x, y: y, style: theme.style(role, tier: tier), maxWidth: rect.width)
                y += 1
            }
            return y - rect.y
        }
        // Two rows of boxes: the request going right on top, the answer coming back below.
        let boxHeight = 5
        let left = rect.x + 8
        canvas.text("Client", x: rect.x, y: rect.y + 2, style: theme.style("text.strong", tier: tier))
        for slot in 0..<3 {
            let x = left + slot * (boxWidth + 2)
            drawBox(
                boxes[slot], index: slot, x: x, y: rect.y, width: boxWidth, height: boxHeight, canvas: &canvas,
                theme: theme, tier: tier, focus: focus)
            canvas.text("→", x: x - 2, y: rect.y + 2, style: arrow)
        }
        canvas.text("↓", x: left + 2 * (boxWidth + 2) + boxWidth / 2, y: rect.y + boxHeight, style: arrow)
        for (slot, index) in [3, 4].enumerated() {
            let x = left + (2 - slot) * (boxWidth + 2)
            drawBox(
                boxes[index], index: index, x: x, y: rect.y + boxHeight + 1, width: boxWidth, height: boxHeight,
                canvas: &canvas, theme: theme, tier: tier, focus: focus)
            canvas.text("←", x: x - 2, y: rect.y + boxHeight + 3, style: arrow)
        }
        canvas.text(
            "Client", x: left + boxWidth + 2 - 9, y: rect.y + boxHeight + 3,
            style: theme.style("text.strong", tier: tier))
        return 2 * boxHeight + 1
    }

    /// `application/json` → `json`, for a box's narrow line.
    static func short(_ contentType: String) -> String {
        contentType.split(separator: "/").last.map(String.init) ?? contentType
    }

    static func templateCount(_ integration: Integration?) -> Int {
        integration?.integrationResponses.values.reduce(0) { $0 + $1.responseTemplates.count } ?? 0
    }

    static func drawBox(
        _ box: (String, [String]), index: Int, x: Int, y: Int, width: Int, height: Int, canvas: inout Canvas,
        theme: Theme,
        tier: ColorTier, focus: Int
    ) {
        let role = index == focus ? "flow.node.focus" : (index == 2 ? "flow.node.integration" : "flow.node")
        let style = theme.style(role, tier: tier)
        let rect = Rect(x: x, y: y, width: width, height: height)
        canvas.fill(rect, style: style)
        canvas.box(rect, style: style, title: box.0, titleStyle: style.with(.bold))
        for (line, text) in box.1.prefix(height - 2).enumerated() {
            canvas.text(text, x: x + 1, y: y + 1 + line, style: style, maxWidth: width - 2)
        }
    }
}
