import GatewayModel
import TerminalUI

/// The APIs of the account: open one, import, deploy.
struct ApisPane: PaneView {
    let app: ConsoleApp

    var title: String { "APIs" }
    var filterable: Bool { true }
    var visible: [RestApi] { model.apis.filter { matches([$0.id, $0.name], .apis) } }
    var rowCount: Int { visible.count }

    var breadcrumb: [String] { ["APIs"] + (app.selectedApi.map { ["\($0.name) (\($0.id))"] } ?? []) }

    var actions: [KeyAction] {
        [
            KeyAction(.character("i"), "import", "Import an OpenAPI or Swagger file", command: "import") {
                app.openImport()
            },
            KeyAction(
                .character("d"), "deploy", "Deploy the selected API to a stage", command: "deploy",
                disabled: app.selectedApi == nil ? "No API to deploy: import one first (i)" : nil
            ) { app.openDeploy() },
        ]
    }

    func open() async {
        guard app.selectedApi != nil else { return }
        app.push(.resources)
    }

    func draw(_ canvas: inout Canvas, rect: Rect, state: ListState) {
        guard !model.apis.isEmpty else {
            empty(
                &canvas, rect: rect,
                [
                    "No APIs yet.",
                    "Press i to import an OpenAPI or Swagger file"
                        + (app.sample.map { " (the sample's: \($0.swaggerPath))" } ?? "") + ".",
                ])
            return
        }
        let visible = self.visible
        let rows = visible.map { api -> [String] in
            let resources = model.resources[api.id] ?? []
            return [
                api.id, api.name, api.endpointType.label, String(resources.count),
                String(resources.reduce(0) { $0 + $1.resourceMethods.count }),
                (model.stages[api.id] ?? []).map(\.stageName).joined(separator: " "),
            ]
        }
        var state = state
        state.selected = visible.firstIndex { $0.id == app.selectedApi?.id } ?? 0
        state.clamp(count: rows.count, height: rect.height - 1)
        TableView(
            columns: [
                ("ID", 10), ("NAME", max(12, rect.width - 60)), ("ENDPOINT", 14), ("RES.", 4), ("METH.", 5),
                ("STAGES", 14),
            ], rows: rows
        )
        .draw(in: &canvas, rect: rect, state: &state, theme: theme, tier: tier, focused: true)
    }
}
