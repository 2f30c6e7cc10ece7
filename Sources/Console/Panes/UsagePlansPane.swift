import GatewayModel
import TerminalUI

/// Usage plans: the per-key throttle and quota on the stages they cover.
struct UsagePlansPane: PaneView {
    let app: ConsoleApp

    var title: String { "Usage plans" }
    var filterable: Bool { true }
    var visible: [UsagePlan] { model.plans.filter { matches([$0.id, $0.name], .usagePlans) } }
    var rowCount: Int { visible.count }
    var selected: UsagePlan? {
        let plans = visible
        return plans.indices.contains(selection) ? plans[selection] : nil
    }

    /// Every deployed stage, `api name/stage (api id)`, the selected API's first.
    var stageChoices: [(label: String, api: String, stage: String)] {
        let apis = model.apis.sorted { ($0.id == app.selectedApi?.id ? 0 : 1) < ($1.id == app.selectedApi?.id ? 0 : 1) }
        return apis.flatMap { api in
            (model.stages[api.id] ?? []).map { ("\(api.name)/\($0.stageName) (\(api.id))", api.id, $0.stageName) }
        }
    }

    var actions: [KeyAction] {
        [
            KeyAction(
                .character("n"), "new plan", "Create a usage plan for a stage", command: "new-plan",
                disabled: stageChoices.isEmpty ? "Deploy an API to a stage first: a usage plan covers API stages" : nil
            ) { openCreate() },
            KeyAction(
                .character("x"), "delete", "Delete the usage plan", command: "delete",
                confirm: selected.map {
                    "Delete the usage plan \($0.name) (\($0.id))? Its \(model.planKeys[$0.id]?.count ?? 0) keys lose access to its stages."
                },
                disabled: selected == nil ? "No usage plan selected" : nil
            ) { await delete() },
        ]
    }

    func draw(_ canvas: inout Canvas, rect: Rect, state: ListState) {
        guard !model.plans.isEmpty else {
            empty(&canvas, rect: rect, ["No usage plans.", "Press n to create one for a deployed stage."])
            return
        }
        var state = state
        let rows = visible.map { plan -> [String] in
            let used = plan.quota.map { quota in
                model.planKeys[plan.id, default: []].map {
                    app.engine?.quotaUsed(plan: plan.id, key: $0, period: quota.period) ?? 0
                }.reduce(0, +)
            }
            return [
                plan.id, plan.name, plan.apiStages.map { "\($0.apiId):\($0.stage)" }.joined(separator: " "),
                plan.throttle.map { "\(Form.show($0.rateLimit))/\($0.burstLimit)" } ?? "-",
                plan.quota.map { "\(used ?? 0)/\($0.limit) per \($0.period.rawValue)" } ?? "-",
                String(model.planKeys[plan.id]?.count ?? 0),
            ]
        }
        TableView(
            columns: [("ID", 8), ("NAME", 12), ("STAGES", 20), ("RATE/BURST", 13), ("QUOTA (USED)", 20), ("KEYS", 4)],
            rows: rows
        )
        .draw(in: &canvas, rect: rect, state: &state, theme: theme, tier: tier, focused: true)
    }

    func openCreate() {
        let choices = stageChoices
        let limit = app.thresholds.maximumRate
        var form = Form()
        let name = form.text("Name", "basic", required: true)
        let stage = form.choice("Stage", choices[0].label, choices.map(\.label))
        let rate = form.number("Rate (req/s)", limit, in: 0...1_000_000)
        let burst = form.integer("Burst", Int(min(limit, 5000)), in: 0...1_000_000)
        let quota = form.optionalInteger("Quota", nil, in: 1...Int(Int32.max))
        let period = form.choice("Quota period", "MONTH", QuotaPeriod.allCases.map(\.rawValue))
        app.dialog = .form(
            "Create usage plan",
            [
                "The rate and burst each key of the plan may use (R3 allows \(RuleCheck.rate(limit)) req/s per client); "
                    + "an empty quota is none."
            ], form
        ) { form in
            let chosen = try form(stage)
            guard let target = choices.first(where: { $0.label == chosen }) else { return }
            let quotaLimit = try form(quota)
            let plan = try await app.control.createUsagePlan(
                name: try form(name), apiStages: [ApiStage(apiId: target.api, stage: target.stage)],
                throttle: ThrottleSettings(burstLimit: try form(burst), rateLimit: try form(rate)),
                quota: try quotaLimit.map {
                    QuotaSettings(limit: $0, period: QuotaPeriod(rawValue: try form(period)) ?? .month)
                })
            app.flashInfo(
                "Created usage plan \(plan.name) (\(plan.id)); put keys in it from the API keys pane (4, then p)")
        }
    }

    func delete() async {
        guard let plan = selected else { return }
        await app.attempt {
            try await app.control.deleteUsagePlan(plan.id)
            app.flashInfo("Deleted usage plan \(plan.name) (\(plan.id))")
        }
    }
}
