import Foundation
import GatewayEngine
import GatewayModel
import TerminalUI

/// The stages of the selected API: what each serves, its cache and throttling, its live figures.
struct StagesPane: PaneView {
    let app: ConsoleApp

    var title: String { "Stages" }
    var stages: [Stage] { app.selectedApi.map { model.stages[$0.id] ?? [] } ?? [] }
    var rowCount: Int { stages.count }

    var breadcrumb: [String] {
        ["APIs"] + (app.selectedApi.map { ["\($0.name) (\($0.id))"] } ?? []) + ["Stages"]
            + (app.selectedStage.map { [$0.stageName] } ?? [])
    }

    var actions: [KeyAction] {
        let none = app.selectedStage == nil ? "No stage: deploy the API first (d)" : nil
        let stage = app.selectedStage?.stageName ?? ""
        return [
            KeyAction(
                .character("c"), "cache", "Turn the stage cache on or off (and caching of its GET methods)",
                command: "cache", disabled: none
            ) { await toggleCache() },
            KeyAction(
                .character("z"), "cache size/TTL", "Set the cache capacity and the default TTL", command: "cache-size",
                disabled: none
            ) { openCacheSize() },
            KeyAction(
                .character("r"), "throttle", "Set the stage's default rate and burst for every method",
                command: "throttle", disabled: none
            ) { openThrottle() },
            KeyAction(
                .character("f"), "flush", "Flush the stage cache", command: "flush-cache",
                confirm: "Flush every cached answer of stage \(stage)? The next requests go to the backend.",
                disabled: none ?? (app.selectedStage?.cacheClusterEnabled == false ? "The stage cache is off" : nil)
            ) { await flush() },
            KeyAction(
                .character("b"), "history", "Deployment history: point the stage back (or forward) at a deployment",
                command: "history", disabled: none
            ) { openHistory() },
            KeyAction(.character("s"), "variables", "Edit the stage variables", command: "variables", disabled: none) {
                openVariables()
            },
            KeyAction(
                .character("o"), "override", "Override cache and throttling for one method of the stage",
                command: "override", disabled: none
            ) { openOverride() },
            KeyAction(.character("d"), "deploy", "Deploy the working copy to a stage", command: "deploy") {
                app.openDeploy()
            },
            KeyAction(
                .character("y"), "copy", "Copy the stage's invoke URL and a curl line with a key", command: "copy",
                disabled: none
            ) { copy() },
        ]
    }

    // MARK: Drawing

    func draw(_ canvas: inout Canvas, rect: Rect, state: ListState) {
        guard let api = app.selectedApi, !stages.isEmpty else {
            empty(
                &canvas, rect: rect,
                [
                    app.selectedApi == nil ? "No API selected." : "No stages.",
                    "Deploy the API (d) to create one.",
                ])
            return
        }
        let stages = self.stages
        let rows = stages.map { stage -> [String] in
            let all = stage.methodSettings[MethodSetting.allMethodsKey]
            let behind = model.stageIsBehind(api: api.id, stage: stage) ? " ‹ behind" : ""
            return [
                stage.stageName, stage.deploymentId + behind,
                stage.cacheClusterEnabled ? "on \(stage.cacheClusterSize?.rawValue ?? "0.5") GB" : "off",
                all.map { "\($0.cacheTtlInSeconds) s" } ?? "300 s",
                all.map { "\(Form.show($0.throttlingRateLimit))/\($0.throttlingBurstLimit)" }
                    ?? "\(Form.show(model.accountThrottle.rateLimit))/\(model.accountThrottle.burstLimit) acct",
            ]
        }
        var table = state
        let tableRect = rect.top(min(rect.height, stages.count + 1))
        TableView(
            columns: [("STAGE", 10), ("DEPLOYMENT", 15), ("CACHE", 9), ("TTL", 6), ("RATE/BURST", 17)], rows: rows
        )
        .draw(in: &canvas, rect: tableRect, state: &table, theme: theme, tier: tier, focused: true)
        guard stages.indices.contains(state.selected), let engine = app.engine else { return }
        let stage = stages[state.selected]
        var y = tableRect.maxY + 1
        y = paragraph(
            &canvas, "Invoke URL: \(app.invokeURL(api: api.id, stage: stage.stageName))/", x: rect.x, y: y,
            width: rect.width, maxY: rect.maxY, role: "text.strong")
        if model.stageIsBehind(api: api.id, stage: stage), y < rect.maxY {
            let newest = model.deployments[api.id]?.first?.id
            let note =
                newest != nil && newest != stage.deploymentId
                ? "Serves deployment \(stage.deploymentId), older than the newest (\(newest ?? "")); the working copy may differ too — d to deploy, b for history"
                : "The working copy has changes this stage does not serve yet — d to deploy"
            y = paragraph(&canvas, note, x: rect.x, y: y, width: rect.width, maxY: rect.maxY, role: "status.pending")
        }
        y += 1
        let (figures, methods) = engine.metrics(api: api.id, stage: stage.stageName)
        let cache = engine.cacheCounters(api: api.id, stage: stage.stageName)
        func row(_ label: String, _ counts: MetricsSnapshot.Window) -> (
            String, String, String, String, String, String, String, String
        ) {
            let lookups = counts.cacheHits + counts.cacheMisses
            let ratio = lookups == 0 ? "-" : "\(Int((Double(counts.cacheHits) / Double(lookups) * 100).rounded()))%"
            return (
                label, "\(counts.count)", "\(counts.clientErrors)", "\(counts.serverErrors)", "\(counts.throttled)",
                "\(counts.cacheHits)", "\(counts.cacheMisses)", ratio
            )
        }
        let lines = [
            ("", "requests", "4xx", "5xx", "429", "hits", "misses", "hit %"),
            row("last minute", figures.lastMinute), row("since start", figures.total),
        ]
        for (index, line) in lines.enumerated() where y < rect.maxY {
            let column = max(7, min(10, (rect.width - 12) / 7))
            let text =
                TextWidth.pad(line.0, to: 12)
                + [column < 9 && index == 0 ? "reqs" : line.1, line.2, line.3, line.4, line.5, line.6, line.7].map {
                    TextWidth.pad($0, to: column)
                }.joined()
            canvas.text(text, x: rect.x, y: y, style: style(index == 0 ? "table.header" : "text"), maxWidth: rect.width)
            y += 1
        }
        if y < rect.maxY {
            let text =
                "cache: \(cache.entries) entries, \(cache.bytes) bytes (hits count from the last flush or turning on). "
                + String(
                    format: "latency p50 %.1f ms p99 %.1f ms, integration p50 %.1f ms",
                    Double(figures.latencyP50) / 1000,
                    Double(figures.latencyP99) / 1000, Double(figures.integrationLatencyP50) / 1000)
            y = paragraph(&canvas, text, x: rect.x, y: y, width: rect.width, maxY: rect.maxY, role: "text.dim")
        }
        y += 1
        if y + 1 < rect.maxY {
            let now = figures.perSecond.dropLast().last ?? 0
            let peak = figures.perSecond.max() ?? 0
            let width = min(60, rect.width - 24)
            canvas.text(
                "requests/s, last 60 s (scale 0–\(peak)/s)", x: rect.x, y: y, style: style("text.dim"),
                maxWidth: rect.width)
            canvas.text(
                Sparkline.render(figures.perSecond, width: max(1, width)), x: rect.x, y: y + 1,
                style: style("sparkline"))
            canvas.text("now \(now)/s", x: rect.x + width + 2, y: y + 1, style: style("text.strong"))
            y += 3
        }
        let overrides = stage.methodSettings.filter { $0.key != MethodSetting.allMethodsKey }.sorted { $0.key < $1.key }
        if !overrides.isEmpty, y < rect.maxY {
            canvas.text("Method overrides", x: rect.x, y: y, style: style("table.header"))
            y += 1
            for (key, setting) in overrides where y < rect.maxY {
                let line =
                    "\(key)  caching \(setting.cachingEnabled ? "on" : "off") \(setting.cacheTtlInSeconds) s  "
                    + "\(Form.show(setting.throttlingRateLimit)) req/s burst \(setting.throttlingBurstLimit)  requests \(methods[key]?.count ?? 0)  429 \(methods[key]?.throttled ?? 0)"
                canvas.text(line, x: rect.x, y: y, style: style("text"), maxWidth: rect.width)
                y += 1
            }
        }
    }

    // MARK: Actions

    func toggleCache() async {
        guard let api = app.selectedApi, let stage = app.selectedStage else { return }
        await app.attempt {
            // Only caching changes: the cluster and, when the stage has settings for every method (*/*), their
            // caching. No */* entry is made (it would carry a throttle): GET methods are cached without one.
            let updated = try await app.control.updateStage(api: api.id, name: stage.stageName) { stage in
                stage.cacheClusterEnabled.toggle()
                stage.methodSettings[MethodSetting.allMethodsKey]?.cachingEnabled = stage.cacheClusterEnabled
            }
            app.flashInfo(
                updated.cacheClusterEnabled
                    ? "Cache on for stage \(stage.stageName): \(updated.cacheClusterSize?.rawValue ?? "0.5") GB, GET methods cached \(updated.allMethods.cacheTtlInSeconds) s"
                    : "Cache off for stage \(stage.stageName): entries and cache figures dropped")
        }
    }

    func flush() async {
        guard let api = app.selectedApi, let stage = app.selectedStage else { return }
        await app.attempt {
            try await app.control.flushStageCache(api: api.id, stage: stage.stageName)
            app.flashInfo("Flushed the cache of stage \(stage.stageName); its cache figures start again")
        }
    }

    func openCacheSize() {
        guard let api = app.selectedApi, let stage = app.selectedStage else { return }
        var form = Form()
        let size = form.choice(
            "Capacity (GB)", stage.cacheClusterSize?.rawValue ?? "0.5", CacheClusterSize.allCases.map(\.rawValue))
        let ttl = form.integer("TTL (s)", stage.allMethods.cacheTtlInSeconds, in: 0...MethodSetting.maximumCacheTtl)
        app.dialog = .form(
            "Stage cache", ["Capacity in GB (a memory budget here) and the default time to live of cached answers."],
            form
        ) { form in
            let capacity = CacheClusterSize(rawValue: try form(size)) ?? .gb0_5
            let seconds = try form(ttl)
            _ = try await app.control.updateStage(api: api.id, name: stage.stageName) { stage in
                stage.cacheClusterSize = capacity
                stage.changeAllMethods { $0.cacheTtlInSeconds = seconds }
            }
            app.flashInfo("Stage \(stage.stageName): cache \(capacity.rawValue) GB, TTL \(seconds) s")
        }
    }

    func openThrottle() {
        guard let api = app.selectedApi, let stage = app.selectedStage else { return }
        var form = Form()
        let rate = form.number("Rate (req/s)", stage.allMethods.throttlingRateLimit, in: 0...1_000_000)
        let burst = form.integer("Burst", stage.allMethods.throttlingBurstLimit, in: 0...1_000_000)
        app.dialog = .form(
            "Stage throttling",
            [
                "Default method throttling for every method of \(stage.stageName) (the account's limit, \(Form.show(model.accountThrottle.rateLimit)) req/s, applies too)."
            ],
            form
        ) { form in
            let (perSecond, bucket) = (try form(rate), try form(burst))
            _ = try await app.control.updateStage(api: api.id, name: stage.stageName) { stage in
                stage.changeAllMethods { setting in
                    setting.throttlingRateLimit = perSecond
                    setting.throttlingBurstLimit = bucket
                }
            }
            app.flashInfo(
                "Stage \(stage.stageName) throttles every method at \(Form.show(perSecond)) req/s, burst \(bucket)")
        }
    }

    func openHistory() {
        guard let api = app.selectedApi, let stage = app.selectedStage else { return }
        let deployments = model.deployments[api.id] ?? []
        let labels = deployments.map { deployment in
            "\(deployment.id) \(ConsoleApp.time(deployment.createdDate))\(deployment.id == stage.deploymentId ? " (current)" : "")\(deployment.description.map { " " + $0 } ?? "")"
        }
        var form = Form()
        let chosen = form.choice("Deployment", labels.first { $0.contains("(current)") } ?? labels.first ?? "", labels)
        app.dialog = .form(
            "Deployment history of \(stage.stageName)",
            ["Newest first. Choose one with ←→ and press enter to point the stage at it."], form
        ) { form in
            let id = String(try form(chosen).prefix { $0 != " " })
            _ = try await app.control.updateStage(api: api.id, name: stage.stageName) { $0.deploymentId = id }
            app.flashInfo("Stage \(stage.stageName) now serves deployment \(id)")
        }
    }

    func openVariables() {
        guard let api = app.selectedApi, let stage = app.selectedStage else { return }
        var form = Form()
        let variables = form.pairs(
            "Variables",
            stage.variables.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","),
            separator: "=")
        app.dialog = .form(
            "Stage variables",
            ["NAME=VALUE pairs separated by commas, e.g. vpcLinkId=\(model.links.first?.id ?? "abc123")"], form
        ) { form in
            let fixed = Dictionary(try form(variables), uniquingKeysWith: { $1 })
            do {
                _ = try await app.control.updateStage(api: api.id, name: stage.stageName) { $0.variables = fixed }
            } catch let error as GatewayError {
                throw FieldProblem(field: variables.index, message: error.message)
            }
            app.flashInfo("Stage \(stage.stageName) has \(fixed.count) variable\(fixed.count == 1 ? "" : "s")")
        }
    }

    func openOverride() {
        guard let api = app.selectedApi, let stage = app.selectedStage else { return }
        let methods = (model.resources[api.id] ?? []).flatMap { resource in
            resource.sortedMethods.map { "\($0.httpMethod) \(resource.path)" }
        }
        guard let first = methods.first else { return app.flashError("The API has no methods") }
        let defaults = stage.allMethods
        var form = Form()
        let method = form.choice("Method", first, methods)
        let caching = form.toggle("Caching", true)
        let ttl = form.integer("TTL (s)", defaults.cacheTtlInSeconds, in: 0...MethodSetting.maximumCacheTtl)
        let rate = form.number("Rate (req/s)", defaults.throttlingRateLimit, in: 0...1_000_000)
        let burst = form.integer("Burst", defaults.throttlingBurstLimit, in: 0...1_000_000)
        app.dialog = .form(
            "Method override on \(stage.stageName)",
            ["Settings for one method, over the stage's defaults (*/*). Caching applies when the stage cache is on."],
            form
        ) { form in
            let parts = try form(method).split(separator: " ", maxSplits: 1).map(String.init)
            let key = MethodSetting.key(resourcePath: parts[1], httpMethod: parts[0])
            var setting = stage.methodSettings[key] ?? MethodSetting()
            setting.cachingEnabled = try form(caching)
            setting.cacheTtlInSeconds = try form(ttl)
            setting.throttlingRateLimit = try form(rate)
            setting.throttlingBurstLimit = try form(burst)
            let fixed = setting
            _ = try await app.control.updateStage(api: api.id, name: stage.stageName) { $0.methodSettings[key] = fixed }
            app.flashInfo("Stage \(stage.stageName): \(parts[0]) \(parts[1]) overridden (\(key))")
        }
    }

    func copy() {
        guard let api = app.selectedApi, let stage = app.selectedStage else { return }
        let served = model.servedDefinition(api: api.id, stage: stage.stageName)
        let first = served?.sortedResources.first { resource in
            resource.resourceMethods["GET"] != nil && !resource.path.contains("{")
        }
        app.copyInvoke(
            api: api, stage: stage.stageName, path: first?.path ?? "/",
            needsKey: first?.resourceMethods["GET"]?.apiKeyRequired ?? false)
    }
}
