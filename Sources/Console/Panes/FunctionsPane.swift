import Foundation
import GatewayEngine
import GatewayModel
import TerminalUI

/// The Lambda functions Gatehouse runs here, each with its state (cold, warm processes, busy) and figures, the
/// selected one's last log lines; and the Cognito user pools whose tokens authorizers verify.
struct FunctionsPane: PaneView {
    let app: ConsoleApp

    var title: String { "Functions" }
    var filterable: Bool { true }
    var visible: [LambdaFunction] {
        model.functions.filter { matches([$0.name, $0.runtime ?? "", $0.handler ?? ""], .functions) }
    }
    var rowCount: Int { visible.count }
    var selected: LambdaFunction? {
        let functions = visible
        return functions.indices.contains(selection) ? functions[selection] : nil
    }

    var actions: [KeyAction] {
        [
            KeyAction(.character("n"), "new function", "Register a Lambda function run here", command: "new-function") {
                openCreate()
            },
            KeyAction(
                .character("x"), "remove", "Remove the function; its processes stop", command: "remove",
                confirm: selected.map {
                    "Remove the function \($0.name)? Integrations and authorizers that name it answer 500 until it is back."
                },
                disabled: selected == nil ? "No function selected" : nil
            ) { await remove() },
        ]
    }

    /// `cold` (no process yet), `warm 2` (processes waiting), `busy 1/2`; an Invoke API endpoint is `remote`.
    static func state(_ function: LambdaFunction, _ status: FunctionStatus?) -> String {
        if function.kind == .invokeURL { return "remote" }
        guard let status, status.instances > 0 else { return "cold" }
        return status.busy > 0 ? "busy \(status.busy)/\(status.instances)" : "warm \(status.instances)"
    }

    func draw(_ canvas: inout Canvas, rect: Rect, state: ListState) {
        guard !model.functions.isEmpty || !model.userPools.isEmpty else {
            empty(
                &canvas, rect: rect,
                [
                    "No Lambda functions.",
                    "Press n to register one (a Python or Node handler, a command speaking the Runtime API, or an "
                        + "Invoke API endpoint), or use `gatehouse function add`.",
                ])
            return
        }
        var state = state
        let functions = visible
        let statuses = Dictionary(
            (app.engine?.functionStatuses ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        // At 80 columns the limits give way to what a function is doing.
        let wide = rect.width >= 90
        let rows = functions.map { function -> [String] in
            let status = statuses[function.name]
            let row = [
                function.name, function.runs, Self.state(function, status), "\(status?.invocations ?? 0)",
                "\(status?.errors ?? 0)",
            ]
            return wide ? row + ["\(status?.throttles ?? 0)", "\(function.timeout) s", "\(function.concurrency)"] : row
        }
        let narrow: [(String, Int)] = [("NAME", 12), ("RUNS", 0), ("STATE", 10), ("CALLS", 6), ("ERRORS", 6)]
        var columns = wide ? narrow + [("THROTTLED", 9), ("TIMEOUT", 7), ("MAX", 4)] : narrow
        columns[1].1 = max(8, rect.width - columns.map(\.1).reduce(0, +) - columns.count)
        var table = TableView(columns: columns, rows: rows)
        for (index, function) in functions.enumerated() {
            let status = statuses[function.name]
            table.rowStyles[index] =
                (status?.errors ?? 0) > 0 ? "status.error" : (status?.instances ?? 0) > 0 ? "status.ok" : "text"
        }
        let tableRows = max(2, rows.count + 1)
        table.draw(
            in: &canvas, rect: rect.top(min(rect.height, tableRows)), state: &state, theme: theme, tier: tier,
            focused: true)
        var y = rect.y + tableRows + 1
        if functions.indices.contains(state.selected), y < rect.maxY {
            let function = functions[state.selected]
            canvas.text("\(function.name)  \(function.arn)", x: rect.x, y: y, style: style("table.header"))
            y += 1
            let poolRows = model.userPools.isEmpty ? 0 : model.userPools.count + 2
            let room = max(0, rect.maxY - y - poolRows)
            let lines = app.engine?.functionLogLines(function.name, settled: false) ?? []
            if lines.isEmpty, room > 0 {
                canvas.text("No invocation yet.", x: rect.x, y: y, style: style("text.dim"))
                y += 1
            }
            for line in lines.suffix(room) where y < rect.maxY {
                canvas.text(
                    line.replacingOccurrences(of: "\t", with: "  "), x: rect.x, y: y, style: style("text.dim"),
                    maxWidth: rect.width)
                y += 1
            }
        }
        guard !model.userPools.isEmpty else { return }
        y += 1
        guard y < rect.maxY else { return }
        canvas.text("Cognito user pools", x: rect.x, y: y, style: style("table.header"))
        y += 1
        for pool in model.userPools where y < rect.maxY {
            y = paragraph(
                &canvas,
                "\(pool.id)  keys: \((model.poolKeyIds[pool.id] ?? []).joined(separator: ", "))  from \(pool.source)",
                x: rect.x, y: y, width: rect.width,
                maxY: rect.maxY, role: "text.strong")
        }
    }

    func openCreate() {
        var form = Form()
        let name = form.text("Name", "hello", required: true)
        let runtime = form.choice("Runs", "python3", ["python3", "nodejs", "command", "invoke URL"])
        let handler = form.text("Handler / command / URL", "app.handler", required: true)
        let code = form.text("Code directory", FileManager.default.currentDirectoryPath, completesPath: true)
        let timeout = form.integer("Timeout (s)", LambdaFunction.defaultTimeout, in: 1...900)
        let concurrency = form.integer("Concurrency", LambdaFunction.defaultConcurrency, in: 1...1000)
        app.dialog = .form(
            "Register a Lambda function",
            [
                "python3 and nodejs run MODULE.FUNCTION from the code directory with Gatehouse's runtime client; a "
                    + "command speaks the Runtime API itself; an invoke URL is an endpoint of the Lambda Invoke API."
            ], form
        ) { form in
            let runs = try form(runtime)
            let target = try form(handler)
            var function: LambdaFunction
            switch runs {
            case "invoke URL":
                function = LambdaFunction(name: try form(name), kind: .invokeURL, invokeURL: target)
            case "command":
                function = LambdaFunction(
                    name: try form(name), kind: .process, code: try form(code),
                    command: target.split(separator: " ").map(String.init))
            default:
                function = LambdaFunction(
                    name: try form(name), kind: .process, runtime: runs, handler: target, code: try form(code))
            }
            function.timeout = try form(timeout)
            function.concurrency = try form(concurrency)
            do {
                function = try await app.control.addFunction(function)
            } catch let error as GatewayError where error.message.localizedCaseInsensitiveContains("code directory") {
                throw FieldProblem(field: code.index, message: error.message)
            } catch let error as GatewayError where error.message.localizedCaseInsensitiveContains("already exist") {
                throw FieldProblem(field: name.index, message: error.message)
            }
            app.flashInfo(
                "Registered function \(function.name) (\(function.arn)): choose it in a method's Integration Request (e)"
            )
        }
    }

    func remove() async {
        guard let function = selected else { return }
        await app.attempt {
            try await app.control.removeFunction(function.name)
            app.flashInfo("Removed function \(function.name)")
        }
    }
}
