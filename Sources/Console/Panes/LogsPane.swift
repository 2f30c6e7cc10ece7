import GatewayEngine
import TerminalUI

/// The requests the engine served, newest last, each with why it was refused; enter opens one.
struct LogsPane: PaneView {
    let app: ConsoleApp

    var title: String { "Logs" }
    var filterable: Bool { true }
    var entries: [AccessLogEntry] {
        let filter = app.filters[.logs] ?? ""
        return app.logs.all.filter { filter.isEmpty || $0.line.localizedCaseInsensitiveContains(filter) }
    }
    var rowCount: Int { entries.count }
    var listTop: Int { 0 }
    /// The selected request, whole (wrapped), below the list: a narrow screen cuts rows, never the reason.
    var rowsBelowList: Int { 4 }

    var actions: [KeyAction] {
        [
            KeyAction(.enter, "open", "Open the request: what was sent, what came back, the limits", command: "open") {
                await open()
            }
        ]
    }

    func open() async {
        let entries = self.entries
        guard entries.indices.contains(selection) else { return }
        let entry = entries[selection]
        // What the Lambda functions the request called printed during it (their logs are by request id).
        let printed = model.functions.compactMap { function -> (String, [String])? in
            let lines = (app.engine?.functionLogLines(function.name) ?? []).filter { $0.contains(entry.requestId) }
            return lines.isEmpty ? nil : (function.name, lines)
        }
        app.dialog = .message("Request \(entry.requestId)", LogsPane.detail(entry, functionLogs: printed))
    }

    /// A request as a row of the pane: what a reader looks for first (status, request, why), the ids after.
    static func row(_ entry: AccessLogEntry) -> String {
        let latency = Form.show((entry.latencyMillis * 10).rounded() / 10)
        var text = "\(entry.status) \(entry.method) /\(entry.stage)\(entry.path)"
        if let reason = entry.reason { text += " — \(reason)" }
        text += "  \(latency) ms"
        if let cache = entry.cache { text += " cache \(cache)" }
        if let key = entry.apiKey { text += " key \(key)" }
        return text + "  \(entry.requestId)"
    }

    /// What one request went through, for its dialog.
    static func detail(_ entry: AccessLogEntry, functionLogs: [(String, [String])] = []) -> [String] {
        var text = [
            "\(entry.method) /\(entry.stage)\(entry.path) → \(entry.status) in \(Form.show((entry.latencyMillis * 10).rounded() / 10)) ms",
            "API \(entry.apiId), stage \(entry.stage), from \(entry.sourceIP), key \(entry.apiKey ?? "none")",
        ]
        if let reason = entry.reason { text.append("Why: \(reason)") }
        guard let detail = entry.detail else { return text }
        text += ["", "Method request" + (detail.resource.map { " (\($0))" } ?? "")]
        if let query = detail.query, !query.isEmpty { text.append("  query: \(query)") }
        text += detail.headers.map { "  \($0.0): \($0.1)" }
        let integration = detail.execution.map { line in
            line.range(of: " : ").map { String(line[$0.upperBound...]) } ?? line
        }
        text += ["", "Integration (what was sent and what came back)"]
        text += integration.isEmpty ? ["  not called"] : integration.map { "  " + $0 }
        if let latency = detail.integrationLatencyMillis {
            text.append("  integration latency: \(Form.show((latency * 10).rounded() / 10)) ms")
        }
        for (name, lines) in functionLogs {
            text += ["", "Lambda function \(name) (its log, this request)"]
            text += lines.map { "  " + $0.replacingOccurrences(of: "\t", with: "  ") }
        }
        text += ["", "Cache: " + (entry.cache.map { "\($0), key \(detail.cacheKey ?? "?")" } ?? "not cached")]
        text += ["", "Limits on the way (tightest applies)"]
        text += detail.limits.isEmpty ? ["  none reached (refused before the limits)"] : detail.limits.map { "  " + $0 }
        return text
    }

    func draw(_ canvas: inout Canvas, rect: Rect, state: ListState) {
        let entries = self.entries
        let filter = app.filters[.logs] ?? ""
        guard !entries.isEmpty else {
            empty(
                &canvas, rect: rect,
                [
                    filter.isEmpty ? "No requests yet." : "No line contains \"\(filter)\".",
                    "Requests to the invoke URLs show here as they are served; enter opens one.",
                ])
            return
        }
        let height = max(1, rect.height - rowsBelowList)
        for (index, entry) in entries.enumerated().dropFirst(state.offset).prefix(height) {
            let y = rect.y + index - state.offset
            let selected = index == state.selected
            let role =
                selected
                ? "table.cursor"
                : entry.status >= 500 ? "status.error" : entry.status >= 400 ? "status.pending" : "text"
            if selected { canvas.fill(Rect(x: rect.x, y: y, width: rect.width, height: 1), style: style(role)) }
            canvas.text(LogsPane.row(entry), x: rect.x, y: y, style: style(role), maxWidth: rect.width)
        }
        guard entries.indices.contains(state.selected) else { return }
        let top = rect.y + height
        canvas.text(String(repeating: "─", count: rect.width), x: rect.x, y: top, style: style("frame"))
        paragraph(
            &canvas, LogsPane.row(entries[state.selected]) + " (enter opens it)", x: rect.x, y: top + 1,
            width: rect.width, maxY: rect.maxY, role: "text.strong")
    }
}
