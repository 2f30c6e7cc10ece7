import Foundation
import GatewayControl
import GatewayImport
import GatewayModel
import TerminalUI

/// What more than one pane does: the selections they share, deploying, importing, copying the invoke URL.
extension ConsoleApp {
    var selectedApi: RestApi? { model.apis.indices.contains(apiIndex) ? model.apis[apiIndex] : nil }

    var treeRows: [TreeRow] { selectedApi.map { model.treeRows(api: $0.id) } ?? [] }

    var selectedTreeRow: TreeRow? {
        let rows = treeRows
        let index = list(.resources).selected
        return rows.indices.contains(index) ? rows[index] : nil
    }

    var selectedStage: Stage? {
        guard let api = selectedApi else { return nil }
        let stages = model.stages[api.id] ?? []
        let index = list(.stages).selected
        return stages.indices.contains(index) ? stages[index] : nil
    }

    /// Runs a control-plane change; what goes wrong shows on the message line.
    func attempt(_ body: () async throws -> Void) async {
        do {
            try await body()
        } catch let error as GatewayError {
            flashError(error.message)
        } catch {
            flashError("\(error)")
        }
        await reload()
    }

    func invokeURL(api: String, stage: String) -> String { "\(shownBase)/restapis/\(api)/\(stage)/_user_request_" }

    // MARK: Deploy

    static let newStage = "New stage…"

    /// Deploy API, as AWS's dialog: an existing stage or a new one (name and description), and a description of
    /// the deployment. When AWS would refuse for methods without an integration, the next dialog lists them and
    /// integrates them all through a VPC link with one key.
    func openDeploy() {
        guard let api = selectedApi else { return flashError("No API selected: choose one on the APIs pane (1)") }
        let stages = (model.stages[api.id] ?? []).map(\.stageName)
        var form = Form()
        let stage = form.choice(
            "Stage", stages.first(where: { $0 == selectedStage?.stageName }) ?? stages.first ?? Self.newStage,
            stages + [Self.newStage])
        let newName = form.text("New stage name", stages.isEmpty ? "test" : "")
        let stageDescription = form.text("Stage description")
        let description = form.text("Deployment description")
        dialog = .form(
            "Deploy API",
            [
                "Deploy \(api.name) (\(api.id)): freeze the working copy and point a stage at it.",
                "A new stage needs a name (letters, digits, - and _); an existing stage keeps its settings.",
            ],
            form
        ) { [weak self] form in
            guard let self else { return }
            var name = try form(stage)
            if name == Self.newStage {
                name = try form(newName)
                if let problem = Stage.problem(inName: name) {
                    throw FieldProblem(field: newName.index, message: problem)
                }
                if stages.contains(name) {
                    throw FieldProblem(field: newName.index, message: "Stage \(name) already exists: choose it above")
                }
            }
            try await self.deploy(
                api: api, stage: name, stageDescription: try form(stageDescription), description: try form(description))
        }
    }

    func deploy(api: RestApi, stage: String, stageDescription: String, description: String) async throws {
        do {
            let deployment = try await control.createDeployment(
                api: api.id, stageName: stage, stageDescription: stageDescription.isEmpty ? nil : stageDescription,
                description: description.isEmpty ? nil : description)
            flashInfo("Deployed to \(stage) (deployment \(deployment.id)): \(invokeURL(api: api.id, stage: stage))/")
            await reload()
            if let index = model.stages[api.id]?.firstIndex(where: { $0.stageName == stage }) {
                var state = ListState()
                state.selected = index
                lists[.stages] = state
            }
            push(.stages)
        } catch let error as GatewayError where error.message.hasPrefix("No integration defined for method") {
            openIntegrateAll(api: api, refusal: error.message) { [weak self] in
                try await self?.deploy(
                    api: api, stage: stage, stageDescription: stageDescription, description: description)
            }
        }
    }

    /// Lists every method without an integration and integrates them all through the chosen VPC link, then goes on.
    func openIntegrateAll(api: RestApi, refusal: String?, then next: (@MainActor () async throws -> Void)?) {
        let missing = model.treeRows(api: api.id).compactMap { row -> String? in
            guard let method = row.method, method.methodIntegration == nil else { return nil }
            return "\(method.httpMethod) \(row.resource.path)"
        }
        guard !missing.isEmpty else { return flashInfo("Every method of \(api.name) has an integration") }
        guard !model.links.isEmpty else {
            return flashError(
                (refusal.map { $0 + ". " } ?? "")
                    + "\(missing.count) methods have no integration, and there is no VPC link: create one (6, then n)")
        }
        var form = Form()
        let usable = model.links.filter { $0.status == .available } + model.links.filter { $0.status != .available }
        let link = form.choice("VPC link", usable[0].id, usable.map(\.id))
        var text = refusal.map { ["AWS refuses: \($0)", ""] } ?? []
        text.append("These \(missing.count) methods have no integration:")
        text += missing.map { "  " + $0 }
        text += [
            "",
            "Press enter to integrate them all as HTTP proxies through the VPC link (links: "
                + usable.map { "\($0.id) \($0.name) \($0.status.rawValue)" }.joined(separator: ", ") + ")"
                + (next == nil ? "." : ", then deploy."),
        ]
        dialog = .form("Integrate through a VPC link", text, form) { [weak self] form in
            guard let self else { return }
            let chosen = try form(link)
            let set = try await self.control.integrateUnintegratedThroughVpcLink(api: api.id, link: chosen)
            self.flashInfo("\(set.count) methods integrated through VPC link \(chosen)")
            await self.reload()
            try await next?()
        }
    }

    // MARK: Import

    func openImport() {
        var form = Form()
        let file = form.text("File", sample?.swaggerPath ?? "", required: true, completesPath: true)
        let endpoint = form.choice("Endpoint type", "Regional", ["Regional", "Edge optimized", "Private"])
        let into = form.choice(
            "Into", "New API",
            ["New API"] + model.apis.map { "merge: \($0.name) (\($0.id))" }
                + model.apis.map { "overwrite: \($0.name) (\($0.id))" })
        let basePath = form.choice("Base path", "ignore", ["ignore", "prepend", "split"])
        let strict = form.toggle("Fail on warnings", false)
        dialog = .form(
            "Import API", ["Import an OpenAPI 3 or Swagger 2.0 file (JSON or YAML). tab completes the path."], form
        ) { [weak self] form in
            guard let self else { return }
            let path = (try form(file) as NSString).expandingTildeInPath
            guard let data = FileManager.default.contents(atPath: path) else {
                throw FieldProblem(field: file.index, message: "No readable file at \(path)")
            }
            let type: EndpointType = ["Edge optimized": .edge, "Private": .private][try form(endpoint)] ?? .regional
            let options = ImportOptions(
                basePath: BasePathMode(rawValue: try form(basePath)) ?? .ignore, endpointType: type,
                failOnWarnings: try form(strict))
            let target = try form(into)
            let outcome: ImportOutcome
            do {
                if target == "New API" {
                    outcome = try await self.control.importRestApi(data, options: options)
                } else {
                    let id = String(target.split(separator: "(").last?.dropLast() ?? "")
                    var existing = options
                    existing.endpointType = nil
                    outcome = try await self.control.putRestApi(
                        id, document: data, mode: target.hasPrefix("overwrite") ? .overwrite : .merge,
                        options: existing)
                }
            } catch let error as GatewayError {
                throw FieldProblem(field: file.index, message: error.message)
            }
            await self.reload()
            self.apiIndex = self.model.apis.firstIndex { $0.id == outcome.api.id } ?? 0
            self.lists[.resources] = ListState()
            self.pane = .apis
            self.push(.resources)
            let summary =
                "\(outcome.api.name) (\(outcome.api.id)): \(outcome.resourceCount) resources, \(outcome.methodCount) methods"
            if outcome.warnings.isEmpty {
                self.flashInfo("Imported " + summary)
            } else {
                self.dialog = .message(
                    "Imported with \(outcome.warnings.count) warnings",
                    [summary, ""] + outcome.warnings.map { "• " + $0.description })
            }
        }
    }

    // MARK: Editing in the user's editor

    /// Opens `text` in the user's editor (the terminal handed over meanwhile) and returns what was saved.
    func edit(_ text: String, name: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gatehouse-edit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        var failure: Error?
        var status: Int32 = 0
        let command = options.editor + [file.path]
        surface.suspend {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: command[0].hasPrefix("/") ? command[0] : "/usr/bin/env")
            process.arguments = command[0].hasPrefix("/") ? Array(command.dropFirst()) : command
            do {
                try process.run()
                process.waitUntilExit()
                status = process.terminationStatus
            } catch {
                failure = error
            }
        }
        if let failure { throw GatewayError.badRequest("The editor \(command[0]) did not start: \(failure)") }
        guard status == 0 else {
            throw GatewayError.badRequest("The editor \(command[0]) exited with status \(status)")
        }
        return String(decoding: try Data(contentsOf: file), as: UTF8.self)
    }

    // MARK: Copy

    /// Puts the invoke URL and a ready `curl` line (with a key of a plan for the stage, when the method needs one)
    /// on the clipboard, and shows them.
    func copyInvoke(api: RestApi, stage: String, path: String, needsKey: Bool) {
        let url = invokeURL(api: api.id, stage: stage) + path
        var curl = "curl -i '\(url)'"
        var note = "no key needed"
        if needsKey {
            let plans = model.plans.filter { $0.apiStages.contains { $0.apiId == api.id && $0.stage == stage } }
            let keyIds = Set(plans.flatMap { model.planKeys[$0.id] ?? [] })
            if let key = model.keys.first(where: { $0.enabled && keyIds.contains($0.id) }) {
                curl += " -H 'x-api-key: \(key.value)'"
                note = "with key \(key.name)"
            } else {
                curl += " -H 'x-api-key: KEY'"
                note = "no enabled key is in a usage plan for \(stage): put one in (4, then p)"
            }
        }
        surface.copy(url + "\n" + curl)
        dialog = .message(
            "Copied to the clipboard",
            [
                "Invoke URL:", url, "", "curl (\(note)):", curl, "",
                "Sent to the terminal as OSC 52 (in tmux: set -g set-clipboard on).",
            ])
    }

    static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    static func pretty(_ body: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed]),
            let data = try? JSONSerialization.data(
                withJSONObject: object,
                options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        else { return body }
        return String(decoding: data, as: UTF8.self)
    }
}
