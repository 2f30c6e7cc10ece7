import Foundation
import GatewayEngine
import GatewayModel
import TerminalUI

extension ConsoleApp {
    var tier: ColorTier { surface.colorTier }

    func style(_ role: String) -> Style { theme.style(role, tier: tier) }

    /// Draws the whole screen and shows it.
    func render() {
        surface.present(frame())
    }

    /// The frame for the current state (a pure function of the state and the surface size).
    func frame() -> Canvas {
        let size = surface.size
        var canvas = Canvas(size: size, fill: style("screen"))
        guard size.width >= Self.minimumSize.width, size.height >= Self.minimumSize.height else {
            let message =
                "terminal too small: need \(Self.minimumSize.width)×\(Self.minimumSize.height), have \(size.width)×\(size.height)"
            canvas.text(
                TextWidth.truncate(message, to: size.width), x: 0, y: size.height / 2, style: style("flash.error"))
            return canvas
        }
        let screen = Rect(x: 0, y: 0, width: size.width, height: size.height)
        drawHeader(&canvas, width: size.width)
        drawBreadcrumb(&canvas, width: size.width)
        let navWidth = 16
        let body = Rect(x: 0, y: 2, width: size.width, height: size.height - 4)
        drawNav(&canvas, rect: Rect(x: 0, y: body.y, width: navWidth, height: body.height))
        let main = Rect(x: navWidth, y: body.y, width: size.width - navWidth, height: body.height)
        canvas.box(main, style: style("frame.focus"), title: pane.title, titleStyle: style("frame.title"))
        drawPane(&canvas, rect: main.inset(1))
        drawFlash(&canvas, y: size.height - 2, width: size.width)
        drawFooter(&canvas, y: size.height - 1, width: size.width)
        if let dialog { dialog.draw(in: &canvas, screen: screen, theme: theme, tier: tier) }
        return canvas
    }

    func drawHeader(_ canvas: inout Canvas, width: Int) {
        canvas.fill(Rect(x: 0, y: 0, width: width, height: 1), style: style("header"))
        let used = canvas.text(" Gatehouse ", x: 0, y: 0, style: style("header.accent"))
        var right =
            invokeBase.isEmpty ? "engine stopped" : "invoke: \(invokeBase)/restapis/{api}/{stage}/_user_request_/…"
        let subtitle = " API Gateway on your machine"
        if used + TextWidth.of(subtitle) + TextWidth.of(right) + 2 > width, !invokeBase.isEmpty {
            right = "invoke: \(invokeBase)"
        }
        canvas.text(subtitle, x: used, y: 0, style: style("header"))
        let rightWidth = TextWidth.of(right) + 1
        if used + TextWidth.of(subtitle) + rightWidth < width {
            canvas.text(right, x: width - rightWidth, y: 0, style: style("header"))
        }
    }

    func drawBreadcrumb(_ canvas: inout Canvas, width: Int) {
        var parts: [String] = []
        switch pane {
        case .apis, .resources, .stages:
            parts.append("APIs")
            if let api = selectedApi { parts.append("\(api.name) (\(api.id))") }
            if pane != .apis { parts.append(pane.title) }
            if pane == .resources, let row = selectedTreeRow {
                parts.append(row.resource.path)
                if let method = row.method { parts.append(method.httpMethod) }
            }
        default:
            parts.append(pane.title)
        }
        var x = 1
        for (index, part) in parts.enumerated() {
            let last = index == parts.count - 1
            x += canvas.text(
                part, x: x, y: 1, style: style(last ? "breadcrumb.current" : "breadcrumb"), maxWidth: width - x)
            if !last { x += canvas.text(" › ", x: x, y: 1, style: style("breadcrumb")) }
        }
    }

    func drawNav(_ canvas: inout Canvas, rect: Rect) {
        canvas.fill(rect, style: style("nav"))
        canvas.text(" Console", x: rect.x, y: rect.y, style: style("nav.title"))
        for (index, item) in Pane.allCases.enumerated() {
            let y = rect.y + 2 + index
            let selected = item == pane
            if selected {
                canvas.fill(Rect(x: rect.x, y: y, width: rect.width, height: 1), style: style("nav.selected"))
            }
            canvas.text(
                " \(index + 1) \(item.title)", x: rect.x, y: y, style: style(selected ? "nav.selected" : "nav"),
                maxWidth: rect.width)
        }
    }

    func drawFlash(_ canvas: inout Canvas, y: Int, width: Int) {
        guard let flash else { return }
        canvas.text(
            " " + TextWidth.truncate(flash.text, to: width - 2), x: 0, y: y,
            style: style(flash.error ? "flash.error" : "flash.info"))
    }

    func drawFooter(_ canvas: inout Canvas, y: Int, width: Int) {
        canvas.fill(Rect(x: 0, y: y, width: width, height: 1), style: style("footer"))
        // Help and quit always show, at the right; the pane's keys fill the rest from the left.
        let essentials = globalBindings.filter { $0.key == .character("?") || $0.key == .character("q") }
        let others = globalBindings.filter { !essentials.contains($0) }
        let essentialWidth = essentials.reduce(0) { $0 + TextWidth.of($1.key.description) + TextWidth.of($1.label) + 3 }
        var x = 1
        for hint in Footer.hints(pane.bindings + others, width: width - 2 - essentialWidth) {
            x += canvas.text(hint.key, x: x, y: y, style: style("footer.key"))
            x += canvas.text(" " + hint.label + "  ", x: x, y: y, style: style("footer"))
        }
        x = width - essentialWidth
        for binding in essentials {
            x += canvas.text(binding.key.description, x: x, y: y, style: style("footer.key"))
            x += canvas.text(" " + binding.label + "  ", x: x, y: y, style: style("footer"))
        }
    }

    func drawPane(_ canvas: inout Canvas, rect: Rect) {
        switch pane {
        case .apis: drawApis(&canvas, rect: rect)
        case .resources: drawResources(&canvas, rect: rect)
        case .stages: drawStages(&canvas, rect: rect)
        case .apiKeys: drawKeys(&canvas, rect: rect)
        case .usagePlans: drawPlans(&canvas, rect: rect)
        case .vpcLinks: drawLinks(&canvas, rect: rect)
        case .rules: drawRules(&canvas, rect: rect)
        case .logs: drawLogs(&canvas, rect: rect)
        }
    }

    func empty(_ canvas: inout Canvas, rect: Rect, _ lines: [String]) {
        for (index, line) in lines.enumerated() {
            canvas.text(
                line, x: rect.x + 1, y: rect.y + 1 + index, style: style(index == 0 ? "text" : "text.dim"),
                maxWidth: rect.width - 2)
        }
    }

    // MARK: Panes

    func drawApis(_ canvas: inout Canvas, rect: Rect) {
        guard !model.apis.isEmpty else {
            empty(
                &canvas, rect: rect,
                [
                    "No APIs yet.",
                    "Press i to import an OpenAPI or Swagger file"
                        + (sample.map { " (the sample's: \($0.swaggerPath))" } ?? "") + ".",
                ])
            return
        }
        let visible = visibleApis
        let rows = visible.map { api -> [String] in
            let resources = model.resources[api.id] ?? []
            return [
                api.id, api.name, api.endpointType.label, String(resources.count),
                String(resources.reduce(0) { $0 + $1.resourceMethods.count }),
                (model.stages[api.id] ?? []).map(\.stageName).joined(separator: " "),
            ]
        }
        var state = list(.apis)
        state.selected = visible.firstIndex { $0.id == selectedApi?.id } ?? 0
        TableView(
            columns: [
                ("ID", 10), ("NAME", max(12, rect.width - 60)), ("ENDPOINT", 14), ("RES.", 4), ("METH.", 5),
                ("STAGES", 14),
            ], rows: rows
        )
        .draw(in: &canvas, rect: rect, state: &state, theme: theme, tier: tier, focused: true)
        lists[.apis] = state
    }

    func matches(_ texts: [String], _ pane: Pane) -> Bool {
        guard let filter = filters[pane], !filter.isEmpty else { return true }
        return texts.contains { $0.localizedCaseInsensitiveContains(filter) }
    }

    var visibleApis: [RestApi] { model.apis.filter { matches([$0.id, $0.name], .apis) } }
    var visibleKeys: [ApiKey] { model.keys.filter { matches([$0.id, $0.name], .apiKeys) } }
    var visiblePlans: [UsagePlan] { model.plans.filter { matches([$0.id, $0.name], .usagePlans) } }
    var visibleLinks: [VpcLink] { model.links.filter { matches([$0.id, $0.name, $0.status.rawValue], .vpcLinks) } }

    var treeRows: [TreeRow] { selectedApi.map { model.treeRows(api: $0.id) } ?? [] }

    var selectedTreeRow: TreeRow? {
        let rows = treeRows
        let index = list(.resources).selected
        return rows.indices.contains(index) ? rows[index] : nil
    }

    func drawResources(_ canvas: inout Canvas, rect: Rect) {
        guard let api = selectedApi else {
            empty(&canvas, rect: rect, ["No API selected.", "Import one on the APIs pane (1, then i)."])
            return
        }
        let rows = model.treeRows(api: api.id)
        let treeWidth = min(30, rect.width / 4)
        var state = list(.resources)
        state.clamp(count: rows.count, height: rect.height)
        for (index, row) in rows.enumerated().dropFirst(state.offset).prefix(rect.height) {
            let y = rect.y + index - state.offset
            let selected = index == state.selected
            let indent = String(repeating: "  ", count: max(0, row.depth - (row.method == nil ? 0 : 0)))
            let label: String
            if let method = row.method {
                label = indent + method.httpMethod + (method.apiKeyRequired ? " *" : "")
            } else {
                label = (row.resource.path == "/" ? "/" : indent + "/" + (row.resource.pathPart ?? ""))
            }
            let role = selected ? "table.cursor" : (row.method == nil ? "text" : "text.strong")
            if selected { canvas.fill(Rect(x: rect.x, y: y, width: treeWidth, height: 1), style: style(role)) }
            canvas.text(label, x: rect.x, y: y, style: style(role), maxWidth: treeWidth)
        }
        lists[.resources] = state
        for y in rect.y..<rect.maxY { canvas.text("│", x: rect.x + treeWidth, y: y, style: style("frame")) }
        let detail = Rect(x: rect.x + treeWidth + 2, y: rect.y, width: rect.width - treeWidth - 2, height: rect.height)
        guard let row = selectedTreeRow else { return }
        if let method = row.method {
            canvas.text(
                "\(method.httpMethod) \(row.resource.path) — method execution", x: detail.x, y: detail.y,
                style: style("text.strong"), maxWidth: detail.width)
            FlowDiagram.draw(
                method, resource: row.resource, model: model, in: &canvas,
                rect: Rect(x: detail.x, y: detail.y + 2, width: detail.width, height: detail.height - 2), theme: theme,
                tier: tier, focus: -1)
            if let integration = method.methodIntegration, let uri = integration.uri, detail.height > 15 {
                canvas.text(
                    "Endpoint URL: \(uri)", x: detail.x, y: detail.y + 14, style: style("text.dim"),
                    maxWidth: detail.width)
            }
        } else {
            let methods = row.resource.sortedMethods.map(\.httpMethod).joined(separator: " ")
            empty(
                &canvas, rect: detail,
                [
                    "Resource \(row.resource.path) (\(row.resource.id))",
                    "Methods: \(methods.isEmpty ? "none" : methods)", "Select a method to see its execution flow.",
                ])
        }
    }

    var selectedStage: Stage? {
        guard let api = selectedApi else { return nil }
        let stages = model.stages[api.id] ?? []
        let index = list(.stages).selected
        return stages.indices.contains(index) ? stages[index] : nil
    }

    func drawStages(_ canvas: inout Canvas, rect: Rect) {
        guard let api = selectedApi, let stages = model.stages[api.id], !stages.isEmpty else {
            empty(
                &canvas, rect: rect, ["No stages.", "Deploy the API (d on the Resources or APIs pane) to create one."])
            return
        }
        var state = list(.stages)
        let rows = stages.map { stage -> [String] in
            let all = stage.methodSettings[MethodSetting.allMethodsKey]
            return [
                stage.stageName, stage.deploymentId,
                stage.cacheClusterEnabled ? "on \(stage.cacheClusterSize?.rawValue ?? "0.5") GB" : "off",
                all.map { "\($0.cacheTtlInSeconds) s" } ?? "300 s",
                all.map { "\(String(format: "%g", $0.throttlingRateLimit))/\($0.throttlingBurstLimit)" } ?? "account",
            ]
        }
        TableView(
            columns: [("STAGE", 12), ("DEPLOYMENT", 10), ("CACHE", 12), ("TTL", 6), ("RATE/BURST", 14)], rows: rows
        )
        .draw(
            in: &canvas, rect: rect.top(min(rect.height, stages.count + 1)), state: &state, theme: theme, tier: tier,
            focused: true)
        lists[.stages] = state
        guard let stage = selectedStage, let engine else { return }
        var y = rect.y + stages.count + 2
        canvas.text(
            "Invoke URL: \(invokeBase)/restapis/\(api.id)/\(stage.stageName)/_user_request_/", x: rect.x, y: y,
            style: style("text.strong"), maxWidth: rect.width)
        y += 2
        let figures = engine.metrics(api: api.id, stage: stage.stageName).stage
        let cache = engine.cacheCounters(api: api.id, stage: stage.stageName)
        let lines = [
            String(
                format: "requests %d   4xx %d   5xx %d   429 %d", figures.count, figures.clientErrors,
                figures.serverErrors, figures.throttled),
            String(
                format: "cache hits %d   misses %d   hit ratio %.0f%%   entries %d   %d bytes", figures.cacheHits,
                figures.cacheMisses,
                figures.cacheHitRatio * 100, cache.entries, cache.bytes),
            String(
                format: "latency p50 %.1f ms   p99 %.1f ms   integration p50 %.1f ms",
                Double(figures.latencyP50) / 1000,
                Double(figures.latencyP99) / 1000, Double(figures.integrationLatencyP50) / 1000),
        ]
        for line in lines {
            canvas.text(line, x: rect.x, y: y, style: style("text"), maxWidth: rect.width)
            y += 1
        }
        y += 1
        canvas.text("requests/s, last 60 s", x: rect.x, y: y, style: style("text.dim"))
        canvas.text(
            Sparkline.render(figures.perSecond, width: min(60, rect.width)), x: rect.x, y: y + 1,
            style: style("sparkline"))
        y += 3
        let overrides = stage.methodSettings.filter { $0.key != MethodSetting.allMethodsKey }.sorted { $0.key < $1.key }
        if !overrides.isEmpty, y < rect.maxY {
            canvas.text("Method overrides", x: rect.x, y: y, style: style("table.header"))
            y += 1
            let methods = engine.metrics(api: api.id, stage: stage.stageName).methods
            for (key, setting) in overrides where y < rect.maxY {
                let rate = String(format: "%g", setting.throttlingRateLimit)
                let line =
                    "\(key)  caching \(setting.cachingEnabled ? "on" : "off") \(setting.cacheTtlInSeconds) s  "
                    + "\(rate) req/s burst \(setting.throttlingBurstLimit)  requests \(methods[key]?.count ?? 0)  429 \(methods[key]?.throttled ?? 0)"
                canvas.text(line, x: rect.x, y: y, style: style("text"), maxWidth: rect.width)
                y += 1
            }
        }
    }

    func drawKeys(_ canvas: inout Canvas, rect: Rect) {
        guard !model.keys.isEmpty else {
            empty(&canvas, rect: rect, ["No API keys.", "Press n to create one."])
            return
        }
        var state = list(.apiKeys)
        let rows = visibleKeys.map { key -> [String] in
            let plans = model.planKeys.filter { $0.value.contains(key.id) }.keys.compactMap { id in
                model.plans.first { $0.id == id }?.name
            }
            return [
                key.id, key.name, key.enabled ? "enabled" : "disabled", showValues ? key.value : key.maskedValue,
                plans.sorted().joined(separator: ", "),
            ]
        }
        TableView(
            columns: [("ID", 10), ("NAME", 14), ("STATE", 8), ("VALUE", showValues ? 40 : 10), ("USAGE PLANS", 20)],
            rows: rows
        )
        .draw(in: &canvas, rect: rect, state: &state, theme: theme, tier: tier, focused: true)
        lists[.apiKeys] = state
    }

    func drawPlans(_ canvas: inout Canvas, rect: Rect) {
        guard !model.plans.isEmpty else {
            empty(&canvas, rect: rect, ["No usage plans.", "Press n to create one for a stage of the selected API."])
            return
        }
        var state = list(.usagePlans)
        let rows = visiblePlans.map { plan -> [String] in
            let used = plan.quota.map { quota in
                model.planKeys[plan.id, default: []].map {
                    engine?.quotaUsed(plan: plan.id, key: $0, period: quota.period) ?? 0
                }.reduce(0, +)
            }
            return [
                plan.id, plan.name, plan.apiStages.map { "\($0.apiId):\($0.stage)" }.joined(separator: " "),
                plan.throttle.map { "\(Int($0.rateLimit))/\($0.burstLimit)" } ?? "-",
                plan.quota.map { "\(used ?? 0)/\($0.limit) per \($0.period.rawValue)" } ?? "-",
                String(model.planKeys[plan.id]?.count ?? 0),
            ]
        }
        TableView(
            columns: [("ID", 8), ("NAME", 12), ("STAGES", 20), ("RATE/BURST", 11), ("QUOTA (USED)", 20), ("KEYS", 4)],
            rows: rows
        )
        .draw(in: &canvas, rect: rect, state: &state, theme: theme, tier: tier, focused: true)
        lists[.usagePlans] = state
    }

    func drawLinks(_ canvas: inout Canvas, rect: Rect) {
        guard !model.links.isEmpty || !model.balancers.isEmpty else {
            empty(
                &canvas, rect: rect,
                [
                    "No VPC links and no load balancers.",
                    "Set up the sample workspace, or create a load balancer with `gatehouse load-balancer create`.",
                ])
            return
        }
        var state = list(.vpcLinks)
        let spinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"][ticks % 10]
        let links = visibleLinks
        let rows = links.map { link -> [String] in
            let status = link.status == .pending ? "\(spinner) PENDING" : link.status.rawValue
            return [link.id, link.name, status, model.balancer(of: link)?.name ?? "?", link.statusMessage ?? ""]
        }
        var table = TableView(
            columns: [
                ("ID", 6), ("NAME", 16), ("STATUS", 11), ("LOAD BALANCER", 14), ("MESSAGE", max(10, rect.width - 52)),
            ], rows: rows)
        for (index, link) in links.enumerated() {
            table.rowStyles[index] =
                link.status == .available ? "status.ok" : link.status == .failed ? "status.error" : "status.pending"
        }
        table.draw(
            in: &canvas, rect: rect.top(min(rect.height, max(2, rows.count + 1))), state: &state, theme: theme,
            tier: tier, focused: true)
        lists[.vpcLinks] = state
        var y = rect.y + max(2, rows.count + 1) + 1
        canvas.text("Load balancers", x: rect.x, y: y, style: style("table.header"))
        y += 1
        for balancer in model.balancers {
            canvas.text(
                "\(balancer.name)  \(balancer.dnsName)", x: rect.x, y: y, style: style("text.strong"),
                maxWidth: rect.width)
            y += 1
            for (target, healthy, reason) in engine?.targetHealth(balancer: balancer.name)
                ?? balancer.targets.map({ ($0, true, nil) })
            {
                canvas.text(
                    "  \(target)  \(healthy ? "healthy" : "unhealthy" + (reason.map { " (\($0))" } ?? ""))", x: rect.x,
                    y: y,
                    style: style(healthy ? "status.ok" : "status.error"), maxWidth: rect.width)
                y += 1
            }
        }
    }

    func drawRules(_ canvas: inout Canvas, rect: Rect) {
        var y = rect.y
        for rule in RuleCheck.check(model, thresholds: thresholds) {
            let ok = rule.broken.isEmpty
            canvas.text(
                "\(ok ? "✓" : "✗") \(rule.id)  \(rule.title)", x: rect.x, y: y,
                style: style(ok ? "rule.ok" : "rule.broken"), maxWidth: rect.width)
            y += 1
            for place in rule.broken.prefix(4) where y < rect.maxY {
                canvas.text("    " + place, x: rect.x, y: y, style: style("text.dim"), maxWidth: rect.width)
                y += 1
            }
            if rule.broken.count > 4, y < rect.maxY {
                canvas.text("    … and \(rule.broken.count - 4) more", x: rect.x, y: y, style: style("text.dim"))
                y += 1
            }
            y += 1
        }
    }

    func drawLogs(_ canvas: inout Canvas, rect: Rect) {
        let logFilter = filters[.logs] ?? ""
        let lines = logs.all.filter { logFilter.isEmpty || $0.contains(logFilter) }
        if lines.isEmpty {
            empty(
                &canvas, rect: rect,
                [
                    logFilter.isEmpty ? "No requests yet." : "No line contains \"\(logFilter)\".",
                    "Requests to the invoke URLs show here as they are served.",
                ])
            return
        }
        for (index, line) in lines.suffix(rect.height).enumerated() {
            canvas.text(line, x: rect.x, y: rect.y + index, style: style("text"), maxWidth: rect.width)
        }
    }
}
