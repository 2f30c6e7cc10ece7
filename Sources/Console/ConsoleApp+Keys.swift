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
            guard dialog == nil else { return }
            // The left navigation: rows 4… hold the panes.
            if x < 16 {
                if (4..<4 + Pane.allCases.count).contains(y) { pane = Pane.allCases[y - 4] }
                return
            }
            clickRow(y: y)
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

    /// Selects the row of the pane's list under a click. Lists start on the third row of the screen (the tree
    /// of resources) or the fourth (tables, below their header).
    func clickRow(y: Int) {
        switch pane {
        case .apis:
            let index = list(.apis).offset + y - 4
            let visible = visibleApis
            if visible.indices.contains(index),
                let position = model.apis.firstIndex(where: { $0.id == visible[index].id })
            {
                apiIndex = position
            }
        case .resources, .stages, .apiKeys, .usagePlans, .vpcLinks:
            let top = pane == .resources ? 3 : 4
            var state = list(pane)
            let target = state.offset + y - top
            guard target >= 0 else { return }
            state.move(target - state.selected, count: Int.max, height: max(1, surface.size.height - 8))
            lists[pane] = state
            move(0)
        case .rules, .logs:
            break
        }
    }

    func move(_ delta: Int) {
        var state = list(pane)
        let count: Int
        switch pane {
        case .apis:
            let visible = visibleApis
            guard !visible.isEmpty else { return }
            let current = visible.firstIndex { $0.id == selectedApi?.id } ?? 0
            let next = visible[max(0, min(visible.count - 1, current + delta))]
            apiIndex = model.apis.firstIndex { $0.id == next.id } ?? apiIndex
            return
        case .resources: count = treeRows.count
        case .stages: count = selectedApi.map { model.stages[$0.id]?.count ?? 0 } ?? 0
        case .apiKeys: count = visibleKeys.count
        case .usagePlans: count = visiblePlans.count
        case .vpcLinks: count = visibleLinks.count
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
        case (.resources, .character("t")): openTestInput()
        case (.resources, .character("m")): openMethodRequest()
        case (.resources, .character("e")): openIntegrationRequest()
        case (.stages, .character("p")): await openHistory()
        case (.stages, .character("s")):
            guard let api = selectedApi, let stage = selectedStage else { return }
            dialog = Dialog(
                kind: .variables(api: api.id, stage: stage.stageName), title: "Stage variables",
                text: ["NAME=VALUE pairs separated by commas, e.g. vpcLinkId=\(model.links.first?.id ?? "abc123")"],
                fields: [
                    .init(
                        label: "Variables",
                        value: stage.variables.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
                            separator: ","))
                ])
        case (.stages, .character("z")):
            guard let api = selectedApi, let stage = selectedStage else { return }
            let all = stage.allMethods
            dialog = Dialog(
                kind: .cache(api: api.id, stage: stage.stageName), title: "Stage cache",
                text: ["Capacity in GB (a memory budget here) and the default time to live of cached answers."],
                fields: [
                    .init(
                        label: "Capacity (GB)", value: stage.cacheClusterSize?.rawValue ?? "0.5",
                        choices: CacheClusterSize.allCases.map(\.rawValue)),
                    .init(label: "TTL (s)", value: String(all.cacheTtlInSeconds)),
                ])
        case (.vpcLinks, .character("x")):
            let links = visibleLinks
            let index = list(.vpcLinks).selected
            guard links.indices.contains(index) else { return }
            dialog = Dialog(
                kind: .deleteLink(link: links[index].id), title: "Delete VPC link",
                text: [
                    "Delete the VPC link \(links[index].name) (\(links[index].id))? Methods that use it must be changed first."
                ])
        case (.stages, .character("o")):
            guard let api = selectedApi, let stage = selectedStage else { return }
            let methods = (model.resources[api.id] ?? []).flatMap { resource in
                resource.sortedMethods.map { "\($0.httpMethod) \(resource.path)" }
            }
            guard let first = methods.first else { return flashError("The API has no methods") }
            dialog = Dialog(
                kind: .methodOverride(api: api.id, stage: stage.stageName),
                title: "Method override on \(stage.stageName)",
                text: [
                    "Settings for one method, over the stage's defaults (*/*). Caching applies when the stage cache is on."
                ],
                fields: [
                    .init(label: "Method", value: first, choices: methods),
                    .init(label: "Caching", value: "on", choices: ["on", "off"]),
                    .init(label: "TTL (s)", value: "300"),
                    .init(label: "Rate (req/s)", value: "10000"),
                    .init(label: "Burst", value: "5000"),
                ])
        case (.apiKeys, .character("x")):
            guard let key = selectedKey else { return }
            dialog = Dialog(
                kind: .deleteKey(key: key.id), title: "Delete API key",
                text: ["Delete the API key \(key.name) (\(key.id))? It leaves every usage plan."])
        case (.stages, .character("c")): await toggleCache()
        case (.stages, .character("r")):
            guard let api = selectedApi, let stage = selectedStage else { return }
            let all = stage.allMethods
            dialog = Dialog(
                kind: .throttle(api: api.id, stage: stage.stageName), title: "Stage throttling",
                text: ["Default method throttling for every method of \(stage.stageName)."],
                fields: [
                    .init(label: "Rate (req/s)", value: String(format: "%g", all.throttlingRateLimit)),
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
        case (.apis, .character("/")), (.apiKeys, .character("/")), (.usagePlans, .character("/")),
            (.vpcLinks, .character("/")), (.logs, .character("/")):
            dialog = Dialog(
                kind: .filter, title: "Filter \(pane.title)", text: ["Show only rows that contain (empty shows all):"],
                fields: [.init(label: "Text", value: filters[pane] ?? "")])
        default:
            break
        }
    }

    var selectedKey: ApiKey? {
        let index = list(.apiKeys).selected
        let keys = visibleKeys
        return keys.indices.contains(index) ? keys[index] : nil
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

    /// The Method Request box: authorization, API key, query string and header parameters (`name` or `name*` for
    /// required), which of them are cache keys, the authorizer and the request validator.
    func openMethodRequest() {
        guard let api = selectedApi, let row = selectedTreeRow, let method = row.method else {
            return flashError("Select a method first")
        }
        func parameters(_ location: String) -> String {
            method.requestParameters.compactMap { key, required -> String? in
                let prefix = "method.request.\(location)."
                return key.hasPrefix(prefix) ? String(key.dropFirst(prefix.count)) + (required ? "*" : "") : nil
            }.sorted().joined(separator: ",")
        }
        let authorizers = model.authorizers[api.id] ?? []
        let validators = model.validators[api.id] ?? []
        let cacheKeys = (method.methodIntegration?.cacheKeyParameters ?? []).map {
            $0.split(separator: ".").last.map(String.init) ?? $0
        }
        dialog = Dialog(
            kind: .methodRequest(api: api.id, resource: row.resource.id, method: method.httpMethod),
            title: "Method Request: \(method.httpMethod) \(row.resource.path)",
            text: ["Parameters: names separated by commas; a * after a name makes it required."],
            fields: [
                .init(
                    label: "Authorization", value: method.authorizationType.rawValue,
                    choices: AuthorizationType.allCases.map(\.rawValue)),
                .init(
                    label: "API key required", value: method.apiKeyRequired ? "true" : "false",
                    choices: ["false", "true"]),
                .init(label: "Query strings", value: parameters("querystring")),
                .init(label: "Headers", value: parameters("header")),
                .init(label: "Cache keys", value: cacheKeys.sorted().joined(separator: ",")),
                .init(
                    label: "Authorizer", value: authorizers.first { $0.id == method.authorizerId }?.name ?? "-",
                    choices: ["-"] + authorizers.map(\.name)),
                .init(
                    label: "Request validator",
                    value: validators.first { $0.id == method.requestValidatorId }?.name ?? "-",
                    choices: ["-"] + validators.map(\.name)),
            ])
    }

    /// The Integration Request box.
    func openIntegrationRequest() {
        guard let api = selectedApi, let row = selectedTreeRow, let method = row.method else {
            return flashError("Select a method first")
        }
        let integration = method.methodIntegration
        let kind: String
        switch (integration?.type, integration?.connectionType) {
        case (.httpProxy?, .vpcLink?): kind = "VPC link proxy"
        case (.httpProxy?, _): kind = "HTTP proxy"
        case (.http?, _): kind = "HTTP"
        case (.mock?, _): kind = "Mock"
        default: kind = model.links.isEmpty ? "HTTP proxy" : "VPC link proxy"
        }
        let link = integration?.connectionId ?? model.links.first?.id ?? ""
        let host = model.links.first { $0.id == link }.flatMap { model.balancer(of: $0) }?.dnsName ?? "backend.internal"
        dialog = Dialog(
            kind: .integrationRequest(api: api.id, resource: row.resource.id, method: method.httpMethod),
            title: "Integration Request: \(method.httpMethod) \(row.resource.path)",
            text: ["With a VPC link, the URL gives the Host header and the path; the link picks the target."],
            fields: [
                .init(label: "Type", value: kind, choices: ["VPC link proxy", "HTTP proxy", "HTTP", "Mock"]),
                .init(label: "HTTP method", value: integration?.httpMethod ?? method.httpMethod, choices: HTTPVerb.all),
                .init(label: "Endpoint URL", value: integration?.uri ?? "http://\(host)\(row.resource.path)"),
                .init(label: "VPC link", value: link, choices: model.links.isEmpty ? nil : model.links.map(\.id)),
                .init(label: "Timeout (ms)", value: String(integration?.timeoutInMillis ?? Integration.defaultTimeout)),
            ])
    }

    /// The Test form: path (with its parameters filled in), query string, headers and body.
    func openTestInput() {
        guard let api = selectedApi, let row = selectedTreeRow, let method = row.method else {
            return flashError("Select a method first")
        }
        let path = row.resource.path.replacingOccurrences(of: "{id}", with: "1")
        dialog = Dialog(
            kind: .testInput(api: api.id, resource: row.resource.id, method: method.httpMethod),
            title: "Test \(method.httpMethod) \(row.resource.path)",
            text: ["No API key check, no throttling, no cache: the method as it is now, before any deploy."],
            fields: [
                .init(label: "Path", value: path), .init(label: "Query string", value: ""),
                .init(label: "Headers", value: method.httpMethod == "GET" ? "" : "Content-Type:application/json"),
                .init(label: "Body", value: method.httpMethod == "POST" ? "{\"name\": \"test.jpg\"}" : ""),
            ])
    }

    /// The deployments of the selected stage's API, to roll the stage back or forward to one.
    func openHistory() async {
        guard let api = selectedApi, let stage = selectedStage else { return flashError("Select a stage first") }
        do {
            let deployments = try control.deployments(api: api.id)
            let labels = deployments.map { deployment in
                "\(deployment.id) \(ConsoleApp.time(deployment.createdDate))\(deployment.id == stage.deploymentId ? " (current)" : "")\(deployment.description.map { " " + $0 } ?? "")"
            }
            dialog = Dialog(
                kind: .rollback(api: api.id, stage: stage.stageName), title: "Deployment history of \(stage.stageName)",
                text: ["Newest first. Choose one with ←→ and press enter to point the stage at it."],
                fields: [
                    .init(
                        label: "Deployment", value: labels.first { $0.contains("(current)") } ?? labels.first ?? "",
                        choices: labels)
                ])
        } catch { flashError("\(error)") }
    }

    static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
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
