import Foundation
import GatewayControl
import GatewayEngine
import GatewayImport
import GatewayModel
import TerminalUI

extension ConsoleApp {
    func handleDialog(_ key: Key) async {
        guard var current = dialog else { return }
        switch current.handle(key) {
        case .cancel?:
            dialog = nil
        case .submit?:
            current.error = nil
            // What the dialog changed shows at once, without waiting for the change stream.
            defer { dirty = true }
            if let problem = await submit(current) {
                current.error = problem
                current.focus = 0
                dialog = current
            } else if case .message = current.kind {
                dialog = nil
            } else if dialog?.title == current.title {
                dialog = nil
            }
        case nil:
            dialog = current
        }
    }

    /// Carries out a dialog; returns what is wrong, or nil when done.
    func submit(_ dialog: Dialog) async -> String? {
        do {
            switch dialog.kind {
            case .message:
                return nil
            case .sampleOffer:
                await startSample()
                pane = .vpcLinks
            case .importFile:
                return try await importFile(dialog)
            case .deploy(let api):
                let stage = dialog.value("Stage")
                let description = dialog.value("Description")
                let deployment = try await control.createDeployment(
                    api: api, stageName: stage, description: description.isEmpty ? nil : description)
                flashInfo(
                    "Deployed to \(stage) (deployment \(deployment.id)): \(invokeBase)/restapis/\(api)/\(stage)/_user_request_/"
                )
                pane = .stages
            case .createKey:
                let value = dialog.value("Value")
                let key = try await control.createApiKey(
                    name: dialog.value("Name"), value: value.isEmpty ? nil : value, enabled: true)
                flashInfo("Created API key \(key.name): \(key.value)")
            case .createPlan(let api):
                guard let rate = Double(dialog.value("Rate (req/s)")), let burst = Int(dialog.value("Burst")) else {
                    return "Rate and burst must be numbers"
                }
                let quotaText = dialog.value("Quota per month")
                var quota: QuotaSettings?
                if !quotaText.isEmpty {
                    guard let limit = Int(quotaText) else {
                        return "The quota must be a whole number (or empty for none)"
                    }
                    quota = QuotaSettings(limit: limit, period: .month)
                }
                let plan = try await control.createUsagePlan(
                    name: dialog.value("Name"), apiStages: [ApiStage(apiId: api, stage: dialog.value("Stage"))],
                    throttle: ThrottleSettings(burstLimit: burst, rateLimit: rate), quota: quota)
                flashInfo("Created usage plan \(plan.name) (\(plan.id)); put keys in it from the API keys pane (p)")
            case .createLink:
                guard let balancer = model.balancers.first(where: { $0.name == dialog.value("Target NLB") }) else {
                    return "Choose a load balancer"
                }
                let link = try await control.createVpcLink(name: dialog.value("Name"), targetArn: balancer.arn)
                flashInfo("Created VPC link \(link.id): PENDING until its health check reaches a target")
            case .throttle(let api, let stage):
                guard let rate = Double(dialog.value("Rate (req/s)")), let burst = Int(dialog.value("Burst")) else {
                    return "Rate and burst must be numbers"
                }
                _ = try await control.updateStage(api: api, name: stage) { stage in
                    stage.allMethods.throttlingRateLimit = rate
                    stage.allMethods.throttlingBurstLimit = burst
                }
                flashInfo(
                    "Stage \(stage) throttles every method at \(String(format: "%g", rate)) req/s, burst \(burst)")
            case .keyToPlan(let key):
                guard let plan = model.plans.first(where: { $0.name == dialog.value("Usage plan") }) else {
                    return "Choose a usage plan"
                }
                _ = try await control.createUsagePlanKey(plan: plan.id, key: key)
                flashInfo("The key is in usage plan \(plan.name)")
            case .palette:
                return await command(dialog.value(":"))
            case .filter:
                filters[pane] = dialog.value("Text")
                lists[pane] = ListState()
                let visible = visibleApis
                if pane == .apis, let first = visible.first, !visible.contains(where: { $0.id == selectedApi?.id }) {
                    apiIndex = model.apis.firstIndex { $0.id == first.id } ?? apiIndex
                }
            case .methodRequest(let api, let resource, let method):
                return try await saveMethodRequest(dialog, api: api, resource: resource, method: method)
            case .integrationRequest(let api, let resource, let method):
                return try await saveIntegrationRequest(dialog, api: api, resource: resource, method: method)
            case .rollback(let api, let stage):
                let id = String(dialog.value("Deployment").prefix { $0 != " " })
                _ = try await control.updateStage(api: api, name: stage) { $0.deploymentId = id }
                flashInfo("Stage \(stage) now serves deployment \(id)")
            case .variables(let api, let stage):
                var variables: [String: String] = [:]
                for pair in dialog.value("Variables").split(separator: ",") {
                    guard let (name, value) = NameValue.split(pair, on: "=") else {
                        return "Write NAME=VALUE pairs separated by commas (\(pair) is not one)"
                    }
                    variables[name] = value
                }
                let fixed = variables
                _ = try await control.updateStage(api: api, name: stage) { $0.variables = fixed }
                flashInfo("Stage \(stage) has \(fixed.count) variable\(fixed.count == 1 ? "" : "s")")
            case .methodOverride(let api, let stage):
                let parts = dialog.value("Method").split(separator: " ", maxSplits: 1).map(String.init)
                guard parts.count == 2, let ttl = Int(dialog.value("TTL (s)")),
                    let rate = Double(dialog.value("Rate (req/s)")),
                    let burst = Int(dialog.value("Burst"))
                else { return "TTL, rate and burst must be numbers" }
                let key = MethodSetting.key(resourcePath: parts[1], httpMethod: parts[0])
                let caching = dialog.value("Caching") == "on"
                _ = try await control.updateStage(api: api, name: stage) { stage in
                    var setting = stage.methodSettings[key] ?? MethodSetting()
                    setting.cachingEnabled = caching
                    setting.cacheTtlInSeconds = ttl
                    setting.throttlingRateLimit = rate
                    setting.throttlingBurstLimit = burst
                    stage.methodSettings[key] = setting
                }
                flashInfo("Stage \(stage): \(parts[0]) \(parts[1]) overridden (\(key))")
            case .testInput(let api, let resource, let method):
                var headers: [(String, String)] = []
                for pair in dialog.value("Headers").split(separator: ",") {
                    guard let header = NameValue.split(pair, on: ":") else {
                        return "Headers are NAME:VALUE pairs separated by commas"
                    }
                    headers.append(header)
                }
                let query = dialog.value("Query string")
                let path = dialog.value("Path") + (query.isEmpty ? "" : "?" + query)
                let body = dialog.value("Body")
                await runTest(
                    api: api, resource: resource, method: method,
                    input: TestInvokeRequest(
                        pathWithQueryString: path, headers: headers, body: body.isEmpty ? nil : body))
                return nil
            case .deleteLink(let link):
                try await control.deleteVpcLink(link)
                flashInfo("Deleted VPC link \(link)")
            case .cache(let api, let stage):
                guard let size = CacheClusterSize(rawValue: dialog.value("Capacity (GB)")),
                    let ttl = Int(dialog.value("TTL (s)"))
                else {
                    return "The TTL is a number of seconds, 0 to 3600"
                }
                _ = try await control.updateStage(api: api, name: stage) { stage in
                    stage.cacheClusterSize = size
                    stage.allMethods.cacheTtlInSeconds = ttl
                }
                flashInfo("Stage \(stage): cache \(size.rawValue) GB, TTL \(ttl) s")
            case .deleteKey(let key):
                try await control.deleteApiKey(key)
                flashInfo("Deleted API key \(key)")
            case .maxRate:
                guard let rate = Double(dialog.value("Max req/s")), rate > 0 else { return "Give a positive number" }
                thresholds.maximumRate = rate
            }
        } catch let error as GatewayError {
            return error.message
        } catch {
            return "\(error)"
        }
        return nil
    }

    func importFile(_ dialog: Dialog) async throws -> String? {
        let path = (dialog.value("File") as NSString).expandingTildeInPath
        guard let data = FileManager.default.contents(atPath: path) else { return "No readable file at \(path)" }
        let endpoint: EndpointType =
            ["Regional": .regional, "Edge optimized": .edge, "Private": .private][dialog.value("Endpoint type")]
            ?? .regional
        let options = ImportOptions(
            basePath: BasePathMode(rawValue: dialog.value("Base path")) ?? .ignore, endpointType: endpoint,
            failOnWarnings: dialog.value("Fail on warnings") == "yes")
        let into = dialog.value("Into")
        let outcome: ImportOutcome
        if into == "New API" {
            outcome = try await control.importRestApi(data, options: options)
        } else {
            guard let open = into.lastIndex(of: "("), let close = into.lastIndex(of: ")") else {
                return "Choose where to import"
            }
            let id = String(into[into.index(after: open)..<close])
            var existing = options
            existing.endpointType = nil
            outcome = try await control.putRestApi(
                id, document: data, mode: into.hasPrefix("overwrite") ? .overwrite : .merge, options: existing)
        }
        await reload()
        apiIndex = model.apis.firstIndex { $0.id == outcome.api.id } ?? 0
        pane = .resources
        lists[.resources] = ListState()
        if outcome.warnings.isEmpty {
            flashInfo(
                "Imported \(outcome.api.name) (\(outcome.api.id)): \(outcome.resourceCount) resources, \(outcome.methodCount) methods"
            )
        } else {
            self.dialog = Dialog(
                kind: .message, title: "Imported with \(outcome.warnings.count) warnings",
                text: [
                    "\(outcome.api.name) (\(outcome.api.id)): \(outcome.resourceCount) resources, \(outcome.methodCount) methods",
                    "",
                ]
                    + outcome.warnings.map { "• " + $0.description })
        }
        return nil
    }

    func saveMethodRequest(_ dialog: Dialog, api: String, resource: String, method: String) async throws -> String? {
        var parameters: [String: Bool] = [:]
        for (field, location) in [("Query strings", "querystring"), ("Headers", "header")] {
            for item in dialog.value(field).split(separator: ",") {
                let name = item.trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty else { continue }
                let required = name.hasSuffix("*")
                let bare = required ? String(name.dropLast()) : name
                guard bare.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                    return "\(field): '\(bare)' is not a parameter name"
                }
                parameters["method.request.\(location).\(bare)"] = required
            }
        }
        let cacheNames = dialog.value("Cache keys").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        let authorization = AuthorizationType(rawValue: dialog.value("Authorization")) ?? .none
        let keyRequired = dialog.value("API key required") == "true"
        let fixedParameters = parameters
        let authorizerId = (model.authorizers[api] ?? []).first { $0.name == dialog.value("Authorizer") }?.id
        let validatorId = (model.validators[api] ?? []).first { $0.name == dialog.value("Request validator") }?.id
        let usesAuthorizer = authorization == .custom || authorization == .cognitoUserPools
        let updated = try await control.updateMethod(api: api, resource: resource, httpMethod: method) { method in
            let paths = method.requestParameters.filter { $0.key.hasPrefix("method.request.path.") }
            method.requestParameters = paths.merging(fixedParameters) { $1 }
            method.authorizationType = authorization
            method.authorizerId = usesAuthorizer ? authorizerId : nil
            method.requestValidatorId = validatorId
            method.apiKeyRequired = keyRequired
        }
        // Cache keys name parameters of the method (path, query string or header).
        var keys: [String] = []
        for name in cacheNames {
            guard let key = updated.requestParameters.keys.first(where: { $0.hasSuffix("." + name) }) else {
                return "Cache keys: '\(name)' is not a parameter of the method"
            }
            keys.append(key)
        }
        if updated.methodIntegration != nil {
            let fixedKeys = keys
            _ = try await control.updateIntegration(api: api, resource: resource, httpMethod: method) {
                $0.cacheKeyParameters = fixedKeys
            }
        } else if !keys.isEmpty {
            return "Cache keys need an integration: set the Integration Request first (e)"
        }
        flashInfo("Saved the Method Request of \(method) — deploy (d) to serve it")
        return nil
    }

    func saveIntegrationRequest(_ dialog: Dialog, api: String, resource: String, method: String) async throws -> String?
    {
        guard let timeout = Int(dialog.value("Timeout (ms)")) else {
            return "The timeout is a number of milliseconds, 50 to 29000"
        }
        var integration: Integration
        switch dialog.value("Type") {
        case "Mock":
            integration = Integration(
                type: .mock, requestTemplates: ["application/json": "{\"statusCode\": 200}"],
                integrationResponses: ["200": IntegrationResponse(statusCode: "200")])
        case "HTTP":
            integration = Integration(
                type: .http, httpMethod: dialog.value("HTTP method"), uri: dialog.value("Endpoint URL"),
                integrationResponses: ["200": IntegrationResponse(statusCode: "200")])
        case "VPC link proxy":
            guard !dialog.value("VPC link").isEmpty else {
                return "Choose a VPC link (create one on the VPC links pane)"
            }
            integration = Integration(
                type: .httpProxy, httpMethod: dialog.value("HTTP method"), uri: dialog.value("Endpoint URL"),
                connectionType: .vpcLink, connectionId: dialog.value("VPC link"))
        default:
            integration = Integration(
                type: .httpProxy, httpMethod: dialog.value("HTTP method"), uri: dialog.value("Endpoint URL"))
        }
        integration.timeoutInMillis = timeout
        _ = try await control.putIntegration(api: api, resource: resource, httpMethod: method, integration: integration)
        flashInfo("Saved the Integration Request of \(method) (\(dialog.value("Type"))) — deploy (d) to serve it")
        return nil
    }

    func command(_ text: String) async -> String? {
        let words = text.split(separator: " ").map(String.init)
        switch words.first {
        case "theme":
            guard words.count == 2 else {
                return "theme NAME (\(Theme.available(in: options.themeDirectories).joined(separator: ", ")))"
            }
            do {
                theme = try Theme.load(name: words[1], from: options.themeDirectories)
                flashInfo("Theme \(words[1])")
            } catch { return error.description }
        case "deploy":
            guard let api = selectedApi else { return "No API selected" }
            let stage = words.count > 1 ? words[1] : "test"
            do {
                _ = try await control.createDeployment(api: api.id, stageName: stage)
                flashInfo("Deployed \(api.name) to \(stage)")
            } catch let error as GatewayError { return error.message } catch { return "\(error)" }
        case "test":
            pane = .resources
            dialog = nil
            await testSelectedMethod()
            return nil
        case "quit", "q":
            running = false
        default:
            return "Unknown command: \(text) (theme NAME, deploy STAGE, test, quit)"
        }
        return nil
    }

    func toggleApiKeyRequired() async {
        defer { dirty = true }
        guard let api = selectedApi, let row = selectedTreeRow, let method = row.method else {
            return flashError("Select a method first")
        }
        do {
            let updated = try await control.updateMethod(
                api: api.id, resource: row.resource.id, httpMethod: method.httpMethod
            ) {
                $0.apiKeyRequired.toggle()
            }
            flashInfo(
                "\(method.httpMethod) \(row.resource.path): API key \(updated.apiKeyRequired ? "required" : "not required") — deploy (d) to serve it"
            )
        } catch { flashError("\(error)") }
    }

    /// Sets the selected method's integration to an HTTP proxy through the first available VPC link, with the
    /// link's load balancer DNS name and the resource path as endpoint URL.
    func integrateThroughVpcLink() async {
        defer { dirty = true }
        guard let api = selectedApi, let row = selectedTreeRow, let method = row.method else {
            return flashError("Select a method first")
        }
        guard let link = model.links.first(where: { $0.status == .available }) ?? model.links.first else {
            return flashError("No VPC link: create one on the VPC links pane (6, then n)")
        }
        do {
            let integration = try await control.integrateThroughVpcLink(
                api: api.id, resource: row.resource, httpMethod: method.httpMethod, link: link.id)
            flashInfo(
                "\(method.httpMethod) \(row.resource.path) → VPC link \(link.id) (proxy) \(integration.uri ?? "")")
        } catch let error as GatewayError { flashError(error.message) } catch { flashError("\(error)") }
    }

    func testSelectedMethod() async {
        guard let api = selectedApi, let row = selectedTreeRow, let method = row.method else {
            return flashError("Select a method first")
        }
        let path = row.resource.path.replacingOccurrences(of: "{id}", with: "1")
        await runTest(
            api: api.id, resource: row.resource.id, method: method.httpMethod,
            input: TestInvokeRequest(pathWithQueryString: path))
    }

    /// Runs a Test and shows what came back.
    func runTest(api: String, resource: String, method: String, input: TestInvokeRequest) async {
        let path = (model.resources[api] ?? []).first { $0.id == resource }?.path ?? input.pathWithQueryString
        do {
            let result = try await control.testInvoke(api: api, resource: resource, httpMethod: method, input: input)
            var text = [
                "Request: \(method) \(input.pathWithQueryString)", "Status: \(result.status)",
                "Latency: \(result.latencyMillis) ms", "", "Response body",
            ]
            text += ConsoleApp.pretty(result.body).split(separator: "\n", omittingEmptySubsequences: false).map(
                String.init)
            text +=
                ["", "Response headers"] + result.headers.sorted { $0.key < $1.key }.map { "  \($0.key): \($0.value)" }
            text += ["", "Logs"] + result.log.split(separator: "\n").map(String.init)
            dialog = Dialog(kind: .message, title: "Test \(method) \(path): \(result.status)", text: text)
        } catch let error as GatewayError { flashError(error.message) } catch { flashError("\(error)") }
    }

    static func pretty(_ body: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed]),
            let data = try? JSONSerialization.data(
                withJSONObject: object,
                options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        else { return body }
        return String(decoding: data, as: UTF8.self)
    }

    func toggleCache() async {
        defer { dirty = true }
        guard let api = selectedApi, let stage = selectedStage else { return flashError("Select a stage first") }
        do {
            let updated = try await control.updateStage(api: api.id, name: stage.stageName) { stage in
                stage.cacheClusterEnabled.toggle()
                stage.allMethods.cachingEnabled = stage.cacheClusterEnabled
            }
            flashInfo("Cache \(updated.cacheClusterEnabled ? "on" : "off") for stage \(stage.stageName)")
        } catch { flashError("\(error)") }
    }
}
