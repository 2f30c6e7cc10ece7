import GatewayModel
import TerminalUI

/// VPC links and the load balancers they target, with the health of each target.
struct VpcLinksPane: PaneView {
    let app: ConsoleApp

    var title: String { "VPC links" }
    var filterable: Bool { true }
    var visible: [VpcLink] { model.links.filter { matches([$0.id, $0.name, $0.status.rawValue], .vpcLinks) } }
    var rowCount: Int { visible.count }
    var selected: VpcLink? {
        let links = visible
        return links.indices.contains(selection) ? links[selection] : nil
    }

    var actions: [KeyAction] {
        [
            KeyAction(
                .character("n"), "new link", "Create a VPC link to a load balancer", command: "new-link",
                disabled: model.balancers.isEmpty ? "No load balancer to link to" : nil
            ) { openCreate() },
            KeyAction(
                .character("x"), "delete", "Delete the VPC link", command: "delete",
                confirm: selected.map {
                    "Delete the VPC link \($0.name) (\($0.id))? Methods that use it must be changed first."
                },
                disabled: selected == nil ? "No VPC link selected" : nil
            ) { await delete() },
        ]
    }

    func draw(_ canvas: inout Canvas, rect: Rect, state: ListState) {
        guard !model.links.isEmpty || !model.balancers.isEmpty else {
            empty(
                &canvas, rect: rect,
                [
                    "No VPC links and no load balancers.",
                    "Set up the sample workspace, or create a load balancer with `gatehouse load-balancer create`.",
                ])
            return
        }
        var state = state
        let spinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"][app.ticks % 10]
        let links = visible
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
        let tableRows = max(2, rows.count + 1)
        table.draw(
            in: &canvas, rect: rect.top(min(rect.height, tableRows)), state: &state, theme: theme, tier: tier,
            focused: true)
        var y = rect.y + tableRows
        if links.indices.contains(state.selected), let message = links[state.selected].statusMessage, y < rect.maxY {
            y = paragraph(
                &canvas, "\(links[state.selected].name): \(message)", x: rect.x, y: y, width: rect.width,
                maxY: rect.maxY, role: "text.dim")
        }
        y += 1
        guard y < rect.maxY else { return }
        canvas.text("Load balancers", x: rect.x, y: y, style: style("table.header"))
        y += 1
        for balancer in model.balancers where y < rect.maxY {
            y = paragraph(
                &canvas, "\(balancer.name)  \(balancer.dnsName)", x: rect.x, y: y, width: rect.width, maxY: rect.maxY,
                role: "text.strong")
            for (target, healthy, reason) in app.engine?.targetHealth(balancer: balancer.name)
                ?? balancer.targets.map({ ($0, true, nil) }) where y < rect.maxY
            {
                y = paragraph(
                    &canvas, "  \(target)  \(healthy ? "healthy" : "unhealthy" + (reason.map { " (\($0))" } ?? ""))",
                    x: rect.x, y: y, width: rect.width, maxY: rect.maxY, role: healthy ? "status.ok" : "status.error")
            }
        }
    }

    func openCreate() {
        var form = Form()
        let name = form.text("Name", "pictures-link", required: true)
        let target = form.choice("Target NLB", model.balancers[0].name, model.balancers.map(\.name))
        app.dialog = .form("Create VPC link", ["A REST API VPC link targets one network load balancer."], form) {
            form in
            let chosen = try form(target)
            guard let balancer = model.balancers.first(where: { $0.name == chosen }) else { return }
            let link = try await app.control.createVpcLink(name: try form(name), targetArn: balancer.arn)
            app.flashInfo("Created VPC link \(link.id): PENDING until its health check reaches a target")
        }
    }

    func delete() async {
        guard let link = selected else { return }
        await app.attempt {
            try await app.control.deleteVpcLink(link.id)
            app.flashInfo("Deleted VPC link \(link.name) (\(link.id))")
        }
    }
}
