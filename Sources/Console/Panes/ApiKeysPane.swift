import GatewayModel
import TerminalUI

/// The account's API keys: create (straight into a usage plan), enable, show, put in a plan, delete.
struct ApiKeysPane: PaneView {
    let app: ConsoleApp

    var title: String { "API keys" }
    var filterable: Bool { true }
    var visible: [ApiKey] { model.keys.filter { matches([$0.id, $0.name], .apiKeys) } }
    var rowCount: Int { visible.count }
    var selected: ApiKey? {
        let keys = visible
        return keys.indices.contains(selection) ? keys[selection] : nil
    }

    var actions: [KeyAction] {
        let none = selected == nil ? "No API key selected: create one (n)" : nil
        return [
            KeyAction(.character("n"), "new key", "Create an API key, and put it in a usage plan", command: "new-key") {
                openCreate()
            },
            KeyAction(.character(" "), "enable", "Enable or disable the key", command: "enable", disabled: none) {
                await toggle()
            },
            KeyAction(.character("u"), app.showValues ? "mask" : "unmask", "Show or hide key values", command: "unmask")
            {
                app.showValues.toggle()
            },
            KeyAction(
                .character("p"), "to plan", "Put the key in a usage plan", command: "to-plan",
                disabled: none
                    ?? (model.plans.isEmpty
                        ? "No usage plans yet: create one on the Usage plans pane (5, then n)" : nil)
            ) { openToPlan() },
            KeyAction(
                .character("x"), "delete", "Delete the key", command: "delete",
                confirm: selected.map { "Delete the API key \($0.name) (\($0.id))? It leaves every usage plan." },
                disabled: none
            ) { await delete() },
        ]
    }

    func plansOf(_ key: ApiKey) -> [UsagePlan] {
        model.plans.filter { model.planKeys[$0.id]?.contains(key.id) == true }
    }

    func draw(_ canvas: inout Canvas, rect: Rect, state: ListState) {
        guard !model.keys.isEmpty else {
            empty(&canvas, rect: rect, ["No API keys.", "Press n to create one."])
            return
        }
        var state = state
        let keys = visible
        let rows = keys.map { key -> [String] in
            let plans = plansOf(key).map(\.name).sorted()
            return [
                key.id, key.name, key.enabled ? "enabled" : "disabled", app.showValues ? key.value : key.maskedValue,
                plans.isEmpty ? "none — calls to keyed methods get 403" : plans.joined(separator: ", "),
            ]
        }
        var table = TableView(
            columns: [
                ("ID", 10), ("NAME", 14), ("STATE", 8), ("VALUE", app.showValues ? 40 : 10),
                ("USAGE PLANS", max(12, rect.width - (app.showValues ? 76 : 46))),
            ],
            rows: rows)
        for (index, key) in keys.enumerated() where plansOf(key).isEmpty || !key.enabled {
            table.rowStyles[index] = "status.pending"
        }
        table.draw(in: &canvas, rect: rect, state: &state, theme: theme, tier: tier, focused: true)
    }

    func openCreate() {
        var form = Form()
        let name = form.text("Name", "test", required: true)
        let value = form.add("Value", "") { text -> Result<String?, FieldMessage> in
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { return .success(nil) }
            return trimmed.count < 20
                ? .failure(FieldMessage("at least 20 characters (or empty to generate one)")) : .success(trimmed)
        }
        let planNames = model.plans.map { "\($0.name) (\($0.id))" }
        let plan = form.choice("Usage plan", planNames.first ?? "none", ["none"] + planNames)
        app.dialog = .form(
            "Create API key",
            [
                "Leave the value empty to generate one (40 characters). A key calls keyed methods only from a usage plan "
                    + "that covers the stage."
            ], form
        ) { form in
            let chosen = try form(plan)
            let target = model.plans.first { "\($0.name) (\($0.id))" == chosen }
            let key = try await app.control.createApiKey(name: try form(name), value: try form(value), enabled: true)
            if let target {
                do {
                    _ = try await app.control.createUsagePlanKey(plan: target.id, key: key.id)
                } catch let error as GatewayError {
                    // Both or neither: a key that cannot join the plan is not left behind.
                    try? await app.control.deleteApiKey(key.id)
                    throw FieldProblem(field: plan.index, message: "Usage plan: \(error.message)")
                }
            }
            app.flashInfo(
                "Created API key \(key.name): \(key.value)"
                    + (target.map { " — in usage plan \($0.name)" } ?? " — in no usage plan yet (p)"))
        }
    }

    func toggle() async {
        guard let key = selected else { return }
        await app.attempt {
            _ = try await app.control.updateApiKey(key.id) { $0.enabled.toggle() }
            app.flashInfo("API key \(key.name) \(key.enabled ? "disabled" : "enabled")")
        }
    }

    func openToPlan() {
        guard let key = selected else { return }
        var form = Form()
        let names = model.plans.map { "\($0.name) (\($0.id))" }
        let plan = form.choice("Usage plan", names[0], names)
        app.dialog = .form("Add to usage plan", ["Put \(key.name) in a usage plan."], form) { form in
            let chosen = try form(plan)
            guard let target = model.plans.first(where: { "\($0.name) (\($0.id))" == chosen }) else { return }
            _ = try await app.control.createUsagePlanKey(plan: target.id, key: key.id)
            app.flashInfo("The key \(key.name) is in usage plan \(target.name)")
        }
    }

    func delete() async {
        guard let key = selected else { return }
        await app.attempt {
            try await app.control.deleteApiKey(key.id)
            app.flashInfo("Deleted API key \(key.name) (\(key.id))")
        }
    }
}
