import Foundation
import GatewayControl
import GatewayImport
import GatewayModel
import TerminalUI

extension ConsoleApp {
    /// Handles one terminal event.
    func handle(_ event: TerminalEvent) async {
        switch event {
        case .resize:
            return
        case .click(let x, let y):
            // The left navigation: rows 4… hold the panes.
            if x < 16, (4..<4 + Pane.allCases.count).contains(y), dialog == nil { pane = Pane.allCases[y - 4] }
            return
        case .key(let key):
            if dialog != nil {
                await handleDialog(key)
                return
            }
            await handleKey(key)
        }
    }

    func handleKey(_ key: Key) async {
        switch key {
        case .character("q"), .control("c"):
            running = false
            return
        case .tab: pane = Pane(rawValue: (pane.rawValue + 1) % Pane.allCases.count)!
        case .backTab: pane = Pane(rawValue: (pane.rawValue + Pane.allCases.count - 1) % Pane.allCases.count)!
        case .character(let digit) where ("1"..."8").contains(digit):
            pane = Pane(rawValue: Int(String(digit))! - 1)!
        case .character("?"): showHelp()
        case .character(":"):
            dialog = Dialog(
                kind: .palette, title: "Command", text: ["theme NAME · deploy STAGE · test · quit"],
                fields: [.init(label: ":", value: "")])
        case .up: move(-1)
        case .character("k") where pane != .resources: move(-1)
        case .down, .character("j"): move(1)
        case .pageUp: move(-10)
        case .pageDown: move(10)
        case .character("h"), .left, .escape:
            if pane == .resources || pane == .stages { pane = .apis }
        case .enter, .character("l"), .right:
            if pane == .apis, selectedApi != nil { pane = .resources }
        default:
            await paneKey(key)
        }
    }

    func move(_ delta: Int) {
        var state = list(pane)
        let count: Int
        switch pane {
        case .apis:
            apiIndex = max(0, min(model.apis.count - 1, apiIndex + delta))
            return
        case .resources: count = treeRows.count
        case .stages: count = selectedApi.map { model.stages[$0.id]?.count ?? 0 } ?? 0
        case .apiKeys: count = model.keys.count
        case .usagePlans: count = model.plans.count
        case .vpcLinks: count = model.links.count
        case .rules, .logs: count = 0
        }
        state.move(delta, count: count, height: max(1, surface.size.height - 8))
        lists[pane] = state
    }

    func paneKey(_ key: Key) async {
        defer { dirty = true }
        switch (pane, key) {
        case (.apis, .character("i")), (.resources, .character("i")): openImport()
        case (.apis, .character("d")), (.resources, .character("d")):
            guard let api = selectedApi else { return flashError("No API selected") }
            dialog = Dialog(
                kind: .deploy(api: api.id), title: "Deploy API", text: ["Deploy \(api.name) (\(api.id))."],
                fields: [
                    .init(label: "Stage", value: model.stages[api.id]?.first?.stageName ?? "test"),
                    .init(label: "Description", value: ""),
                ])
        case (.resources, .character("k")): await toggleApiKeyRequired()
        case (.resources, .character("v")): await integrateThroughVpcLink()
        case (.resources, .character("t")): await testSelectedMethod()
        case (.stages, .character("c")): await toggleCache()
        case (.stages, .character("r")):
            guard let api = selectedApi, let stage = selectedStage else { return }
            let all = stage.methodSettings[MethodSetting.allMethodsKey] ?? MethodSetting()
            dialog = Dialog(
                kind: .throttle(api: api.id, stage: stage.stageName), title: "Stage throttling",
                text: ["Default method throttling for every method of \(stage.stageName)."],
                fields: [
                    .init(label: "Rate (req/s)", value: String(Int(all.throttlingRateLimit))),
                    .init(label: "Burst", value: String(all.throttlingBurstLimit)),
                ])
        case (.stages, .character("f")):
            guard let api = selectedApi, let stage = selectedStage else { return }
            do {
                try await control.flushStageCache(api: api.id, stage: stage.stageName)
                flashInfo("Flushed the cache of stage \(stage.stageName)")
            } catch { flashError("\(error)") }
        case (.apiKeys, .character("n")):
            dialog = Dialog(
                kind: .createKey, title: "Create API key",
                text: ["Leave the value empty to generate one (40 characters)."],
                fields: [.init(label: "Name", value: "test"), .init(label: "Value", value: "")])
        case (.apiKeys, .character(" ")):
            guard let key = selectedKey else { return }
            do {
                _ = try await control.updateApiKey(key.id) { $0.enabled.toggle() }
                flashInfo("API key \(key.name) \(key.enabled ? "disabled" : "enabled")")
            } catch { flashError("\(error)") }
        case (.apiKeys, .character("s")): showValues.toggle()
        case (.apiKeys, .character("p")):
            guard let key = selectedKey else { return }
            guard !model.plans.isEmpty else {
                return flashError("No usage plans yet: create one on the Usage plans pane (5, then n)")
            }
            dialog = Dialog(
                kind: .keyToPlan(key: key.id), title: "Add to usage plan", text: ["Put \(key.name) in a usage plan."],
                fields: [.init(label: "Usage plan", value: model.plans[0].name, choices: model.plans.map(\.name))])
        case (.usagePlans, .character("n")):
            guard let api = selectedApi, let stages = model.stages[api.id], !stages.isEmpty else {
                return flashError("Deploy an API to a stage first: a usage plan covers API stages")
            }
            dialog = Dialog(
                kind: .createPlan(api: api.id), title: "Create usage plan", text: ["For \(api.name) (\(api.id))."],
                fields: [
                    .init(label: "Name", value: "basic"),
                    .init(label: "Stage", value: stages[0].stageName, choices: stages.map(\.stageName)),
                    .init(label: "Rate (req/s)", value: "100"), .init(label: "Burst", value: "200"),
                    .init(label: "Quota per month", value: ""),
                ])
        case (.vpcLinks, .character("n")):
            guard !model.balancers.isEmpty else { return flashError("No load balancer to link to") }
            dialog = Dialog(
                kind: .createLink, title: "Create VPC link",
                text: ["A REST API VPC link targets one network load balancer."],
                fields: [
                    .init(label: "Name", value: "pictures-link"),
                    .init(label: "Target NLB", value: model.balancers[0].name, choices: model.balancers.map(\.name)),
                ])
        case (.rules, .character("m")):
            dialog = Dialog(
                kind: .maxRate, title: "R3 threshold", text: ["The highest rate a stage or usage plan may allow."],
                fields: [.init(label: "Max req/s", value: String(Int(thresholds.maximumRate)))])
        case (.logs, .character("/")):
            dialog = Dialog(
                kind: .filter, title: "Filter the log", text: ["Show only lines that contain:"],
                fields: [.init(label: "Text", value: logFilter)])
        default:
            break
        }
    }

    var selectedKey: ApiKey? {
        let index = list(.apiKeys).selected
        return model.keys.indices.contains(index) ? model.keys[index] : nil
    }

    func flashInfo(_ text: String) { flash = (text, false) }
    func flashError(_ text: String) { flash = (text, true) }

    func showHelp() {
        var text: [String] = ["Everywhere:"]
        for binding in globalBindings {
            text.append("  \(TextWidth.pad(binding.key.description, to: 10)) \(binding.description)")
        }
        text.append("  1–8        Go to a pane        ↑↓ j k  Move        enter  Open")
        text.append("")
        text.append("\(pane.title):")
        for binding in pane.bindings {
            text.append("  \(TextWidth.pad(binding.key.description, to: 10)) \(binding.description)")
        }
        dialog = Dialog(kind: .message, title: "Keys", text: text)
    }

    func openImport() {
        dialog = Dialog(
            kind: .importFile, title: "Import API",
            text: ["Import an OpenAPI 3 or Swagger 2.0 file (JSON or YAML)."],
            fields: [
                .init(label: "File", value: sample?.swaggerPath ?? ""),
                .init(label: "Endpoint type", value: "Regional", choices: ["Regional", "Edge optimized", "Private"]),
                .init(
                    label: "Into", value: "New API",
                    choices: ["New API"] + model.apis.map { "merge: \($0.name) (\($0.id))" }
                        + model.apis.map { "overwrite: \($0.name) (\($0.id))" }),
                .init(label: "Base path", value: "ignore", choices: ["ignore", "prepend", "split"]),
                .init(label: "Fail on warnings", value: "no", choices: ["no", "yes"]),
            ])
    }
}
