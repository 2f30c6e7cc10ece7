import Foundation
import GatewayControl
import GatewayEngine
import GatewayModel
import TerminalUI
import VTL

/// An API's resource tree and, for the selected method, its method execution flow; the boxes of the flow are
/// edited from here, and the method tested.
struct ResourcesPane: PaneView {
    let app: ConsoleApp

    var title: String { "Resources" }
    var rows: [TreeRow] { app.treeRows }
    var rowCount: Int { rows.count }
    var listTop: Int { 0 }

    var breadcrumb: [String] {
        var parts = ["APIs"]
        if let api = app.selectedApi { parts.append("\(api.name) (\(api.id))") }
        parts.append("Resources")
        if let row = app.selectedTreeRow {
            parts.append(row.resource.path)
            if let method = row.method { parts.append(method.httpMethod) }
        }
        return parts
    }

    var actions: [KeyAction] {
        let noMethod = app.selectedTreeRow?.method == nil ? "Select a method first (j/k)" : nil
        let unintegrated =
            app.selectedApi.map { api in
                app.model.treeRows(api: api.id).filter { $0.method != nil && $0.method?.methodIntegration == nil }.count
            } ?? 0
        return [
            KeyAction(
                .character("m"), "method",
                "Edit the Method Request: authorization, API key, parameters, cache keys",
                command: "method-request", disabled: noMethod
            ) { openMethodRequest() },
            KeyAction(
                .character("e"), "integration",
                "Edit the Integration Request: type, method, URL, VPC link, timeout",
                command: "integration-request", disabled: noMethod
            ) { openIntegrationRequest() },
            KeyAction(
                .character("M"), "templates",
                "Edit the mapping templates of the request and the responses",
                command: "templates", disabled: noMethod ?? templateProblem
            ) { openTemplates() },
            KeyAction(
                .character("v"), "VPC link", "Integrate the selected method through a VPC link (HTTP proxy)",
                command: "vpc-link-proxy", disabled: noMethod
            ) { await integrateThroughVpcLink() },
            KeyAction(
                .character("A"), "link all",
                "Integrate every method without an integration through a VPC link (\(unintegrated) now)",
                command: "integrate-all",
                disabled: unintegrated == 0 ? "Every method has an integration" : nil
            ) {
                if let api = app.selectedApi { app.openIntegrateAll(api: api, refusal: nil, then: nil) }
            },
            KeyAction(
                .character("a"), "key req.", "Toggle API key required on the selected method",
                command: "api-key-required", disabled: noMethod
            ) { await toggleApiKeyRequired() },
            KeyAction(
                .character("t"), "test", "Test the selected method as it is now (no key, throttle or cache)",
                command: "test", disabled: noMethod
            ) { openTest() },
            KeyAction(.character("d"), "deploy", "Deploy the API to a stage", command: "deploy") { app.openDeploy() },
            KeyAction(
                .character("y"), "copy", "Copy the method's invoke URL and a curl line (first stage)",
                command: "copy", disabled: copyProblem
            ) { copy() },
        ]
    }

    var templateProblem: String? {
        guard let integration = app.selectedTreeRow?.method?.methodIntegration else {
            return "Set the Integration Request first (e)"
        }
        return integration.isProxy ? "A proxy integration passes requests through: it takes no mapping templates" : nil
    }

    /// Where a template goes: the integration request's, or an integration response's, for a content type.
    struct TemplateSlot {
        var label: String
        var status: String?
        var contentType: String
    }

    func templateSlots(_ integration: Integration) -> [TemplateSlot] {
        var slots: [TemplateSlot] = []
        let requestTypes = Set(integration.requestTemplates.keys).union(["application/json"]).sorted()
        for type in requestTypes {
            slots.append(TemplateSlot(label: "request \(type)", status: nil, contentType: type))
        }
        for status in integration.integrationResponses.keys.sorted() {
            let types = Set(integration.integrationResponses[status]?.responseTemplates.keys.map { $0 } ?? [])
                .union(["application/json"]).sorted()
            for type in types {
                slots.append(TemplateSlot(label: "response \(status) \(type)", status: status, contentType: type))
            }
        }
        return slots
    }

    /// Chooses a template, then opens it in Gatehouse's editor or the user's own; what comes back is parsed as a
    /// template before it is saved.
    func openTemplates() {
        guard let api = app.selectedApi, let row = app.selectedTreeRow, let method = row.method,
            let integration = method.methodIntegration
        else { return }
        let slots = templateSlots(integration)
        var form = Form()
        let slot = form.choice("Template", slots[0].label, slots.map(\.label))
        let external = "your editor (\(app.options.editor.first.map { ($0 as NSString).lastPathComponent } ?? "vi"))"
        let place = form.choice("Edit in", "Gatehouse", ["Gatehouse", external])
        let resourceId = row.resource.id
        let httpMethod = method.httpMethod
        app.dialog = .form(
            "Mapping templates: \(method.httpMethod) \(row.resource.path)",
            [
                "Choose a template and where to edit it: in Gatehouse, or in your editor (VISUAL or EDITOR). It is "
                    + "checked as a template before it is saved; an empty one is removed."
            ], form
        ) { form in
            let chosen = try form(slot)
            guard let target = slots.first(where: { $0.label == chosen }) else { return }
            let current =
                target.status.map { integration.integrationResponses[$0]?.responseTemplates[target.contentType] ?? "" }
                ?? integration.requestTemplates[target.contentType] ?? ""
            let draftKey = "\(api.id)/\(resourceId)/\(httpMethod)/\(target.label)"
            let save: @MainActor (String) async throws -> Void = { text in
                _ = try await app.control.updateIntegration(api: api.id, resource: resourceId, httpMethod: httpMethod) {
                    integration in
                    if let status = target.status {
                        integration.integrationResponses[status]?.responseTemplates[target.contentType] =
                            text.isEmpty ? nil : text
                    } else {
                        integration.requestTemplates[target.contentType] = text.isEmpty ? nil : text
                    }
                }
                app.templateDrafts[draftKey] = nil
                app.flashInfo(
                    text.isEmpty
                        ? "Removed the \(target.label) template of \(httpMethod) — deploy (d) to serve the change"
                        : "Saved the \(target.label) template of \(httpMethod) (\(text.utf8.count) bytes) — deploy (d) to serve it"
                )
            }
            if try form(place) == "Gatehouse" {
                app.dialog = .editor(
                    "\(target.label) template: \(httpMethod) \(row.resource.path)",
                    [
                        "VTL as API Gateway evaluates it ($input, $util, $context, $stageVariables). Saved only "
                            + "when it parses; saved empty, it is removed."
                    ], current
                ) { text in
                    guard text != current else { return app.flashInfo("The \(target.label) template is unchanged") }
                    if !text.isEmpty { _ = try Template(text) }
                    try await save(text)
                }
                return
            }
            let edited = try app.edit(app.templateDrafts[draftKey] ?? current, name: "template.vtl")
            guard edited != current else {
                app.templateDrafts[draftKey] = nil
                return app.flashInfo("The \(target.label) template is unchanged")
            }
            if !edited.isEmpty {
                do {
                    _ = try Template(edited)
                } catch {
                    app.templateDrafts[draftKey] = edited
                    app.dialog = .message(
                        "The template does not parse",
                        [
                            "\(error)", "",
                            "Nothing was saved; your text is kept: press M and choose \(target.label) to go on editing.",
                        ])
                    return
                }
            }
            try await save(edited)
        }
    }

    var copyProblem: String? {
        guard let row = app.selectedTreeRow, row.method != nil else { return "Select a method first (j/k)" }
        guard let api = app.selectedApi, model.stages[api.id]?.isEmpty == false else {
            return "The API is not deployed: deploy it first (d)"
        }
        return nil
    }

    func copy() {
        guard let api = app.selectedApi, let row = app.selectedTreeRow, let method = row.method,
            let stage = model.stages[api.id]?.first
        else { return }
        let served = model.servedDefinition(api: api.id, stage: stage.stageName)
        let deployed = served?.resources.first { $0.path == row.resource.path }?.resourceMethods[method.httpMethod]
        let path = row.resource.path.replacingOccurrences(of: "{id}", with: "1")
        app.copyInvoke(
            api: api, stage: stage.stageName, path: path, needsKey: deployed?.apiKeyRequired ?? method.apiKeyRequired)
    }

    func open() async {
        if app.selectedTreeRow?.method != nil { openMethodRequest() }
    }

    // MARK: Drawing

    func draw(_ canvas: inout Canvas, rect: Rect, state: ListState) {
        guard let api = app.selectedApi else {
            empty(&canvas, rect: rect, ["No API selected.", "Import one on the APIs pane (1, then i)."])
            return
        }
        let rows = model.treeRows(api: api.id)
        let treeWidth = min(30, rect.width / 4)
        for (index, row) in rows.enumerated().dropFirst(state.offset).prefix(rect.height) {
            let y = rect.y + index - state.offset
            let selected = index == state.selected
            let indent = String(repeating: "  ", count: max(0, row.depth))
            let label: String
            if let method = row.method {
                label = indent + method.httpMethod + (method.apiKeyRequired ? " *" : "")
            } else {
                label = (row.resource.path == "/" ? "/" : indent + "/" + (row.resource.pathPart ?? ""))
            }
            let role = selected ? "table.cursor" : (row.method == nil ? "text" : "text.strong")
            if selected { canvas.fill(Rect(x: rect.x, y: y, width: treeWidth, height: 1), style: style(role)) }
            canvas.text(label, x: rect.x, y: y, style: style(role), maxWidth: treeWidth)
        }
        for y in rect.y..<rect.maxY { canvas.text("│", x: rect.x + treeWidth, y: y, style: style("frame")) }
        let detail = Rect(x: rect.x + treeWidth + 2, y: rect.y, width: rect.width - treeWidth - 2, height: rect.height)
        guard rows.indices.contains(state.selected) else { return }
        let row = rows[state.selected]
        guard let method = row.method else {
            let methods = row.resource.sortedMethods.map(\.httpMethod).joined(separator: " ")
            empty(
                &canvas, rect: detail,
                [
                    "Resource \(row.resource.path) (\(row.resource.id))",
                    "Methods: \(methods.isEmpty ? "none" : methods)", "Select a method to see its execution flow.",
                ])
            return
        }
        var y = paragraph(
            &canvas, "\(method.httpMethod) \(row.resource.path) — method execution", x: detail.x, y: detail.y,
            width: detail.width, maxY: detail.maxY, role: "text.strong")
        y += 1
        let flowHeight = FlowDiagram.draw(
            method, resource: row.resource, model: model, in: &canvas,
            rect: Rect(x: detail.x, y: y, width: detail.width, height: detail.maxY - y), theme: theme, tier: tier,
            focus: -1)
        y += flowHeight + 1
        if let uri = method.methodIntegration?.uri, y < detail.maxY {
            y = paragraph(
                &canvas, "Endpoint URL: \(uri)", x: detail.x, y: y, width: detail.width, maxY: detail.maxY,
                role: "text.dim")
        }
        // What the stages serve for this method, when it differs from the working copy.
        for stage in model.stages[api.id] ?? [] where y < detail.maxY {
            let served = model.servedDefinition(api: api.id, stage: stage.stageName)?.resources
                .first { $0.path == row.resource.path }?.resourceMethods[method.httpMethod]
            guard served != method else { continue }
            let text =
                served == nil
                ? "Not deployed to \(stage.stageName) yet — d to deploy"
                : "Changed since the deployment \(stage.stageName) serves"
                    + (served?.apiKeyRequired != method.apiKeyRequired
                        ? " (\(stage.stageName) serves API key \(served?.apiKeyRequired == true ? "required" : "not required"))"
                        : "") + " — d to deploy"
            y = paragraph(
                &canvas, text, x: detail.x, y: y, width: detail.width, maxY: detail.maxY, role: "status.pending")
        }
    }

    // MARK: Actions

    func toggleApiKeyRequired() async {
        guard let api = app.selectedApi, let row = app.selectedTreeRow, let method = row.method else { return }
        await app.attempt {
            let updated = try await app.control.updateMethod(
                api: api.id, resource: row.resource.id, httpMethod: method.httpMethod
            ) { $0.apiKeyRequired.toggle() }
            app.flashInfo(
                "\(method.httpMethod) \(row.resource.path): API key \(updated.apiKeyRequired ? "required" : "not required") in the working copy — deploy (d) to serve it"
            )
        }
    }

    /// Sets the selected method's integration to an HTTP proxy through the first available VPC link, with the
    /// link's load balancer DNS name and the resource path as endpoint URL.
    func integrateThroughVpcLink() async {
        guard let api = app.selectedApi, let row = app.selectedTreeRow, let method = row.method else { return }
        guard let link = model.links.first(where: { $0.status == .available }) ?? model.links.first else {
            return app.flashError("No VPC link: create one on the VPC links pane (6, then n)")
        }
        await app.attempt {
            let integration = try await app.control.integrateThroughVpcLink(
                api: api.id, resource: row.resource, httpMethod: method.httpMethod, link: link.id)
            app.flashInfo(
                "\(method.httpMethod) \(row.resource.path) → VPC link \(link.id) (proxy) \(integration.uri ?? "")")
        }
    }

    /// The Method Request box: authorization, API key, query string and header parameters (`name` or `name*` for
    /// required), which of them are cache keys, the authorizer and the request validator.
    func openMethodRequest() {
        guard let api = app.selectedApi, let row = app.selectedTreeRow, let method = row.method else { return }
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
        var form = Form()
        let authorization = form.choice(
            "Authorization", method.authorizationType.rawValue, AuthorizationType.allCases.map(\.rawValue))
        let keyRequired = form.toggle("API key required", method.apiKeyRequired)
        let queries = form.add("Query strings", parameters("querystring")) { ResourcesPane.parameterNames($0) }
        let headers = form.add("Headers", parameters("header")) { ResourcesPane.parameterNames($0) }
        let cache = form.text("Cache keys", cacheKeys.sorted().joined(separator: ","))
        let authorizer = form.choice(
            "Authorizer", authorizers.first { $0.id == method.authorizerId }?.name ?? "-",
            ["-"] + authorizers.map(\.name))
        let validator = form.choice(
            "Request validator", validators.first { $0.id == method.requestValidatorId }?.name ?? "-",
            ["-"] + validators.map(\.name))
        let resourceId = row.resource.id
        let httpMethod = method.httpMethod
        app.dialog = .form(
            "Method Request: \(method.httpMethod) \(row.resource.path)",
            ["Parameters: names separated by commas; a * after a name makes it required."], form
        ) { form in
            var parameters: [String: Bool] = [:]
            for (name, required) in try form(queries) { parameters["method.request.querystring.\(name)"] = required }
            for (name, required) in try form(headers) { parameters["method.request.header.\(name)"] = required }
            let type = AuthorizationType(rawValue: try form(authorization)) ?? .none
            let requiresKey = try form(keyRequired)
            let fixed = parameters
            let authorizerId = authorizers.first { $0.name == (try? form(authorizer)) }?.id
            let validatorId = validators.first { $0.name == (try? form(validator)) }?.id
            let usesAuthorizer = type == .custom || type == .cognitoUserPools
            let names = try form(cache).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
            // Cache keys name parameters of the method (path, query string or header); checked before anything is
            // saved, so a refused save changes nothing.
            let known = method.requestParameters.filter { $0.key.hasPrefix("method.request.path.") }.merging(fixed) {
                $1
            }
            var keys: [String] = []
            for name in names {
                guard let key = known.keys.sorted().first(where: { $0.hasSuffix("." + name) }) else {
                    throw FieldProblem(
                        field: cache.index, message: "Cache keys: '\(name)' is not a parameter of the method")
                }
                keys.append(key)
            }
            if !keys.isEmpty, method.methodIntegration == nil {
                throw FieldProblem(
                    field: cache.index, message: "Cache keys need an integration: set the Integration Request first (e)"
                )
            }
            _ = try await app.control.updateMethod(api: api.id, resource: resourceId, httpMethod: httpMethod) {
                method in
                let paths = method.requestParameters.filter { $0.key.hasPrefix("method.request.path.") }
                method.requestParameters = paths.merging(fixed) { $1 }
                method.authorizationType = type
                method.authorizerId = usesAuthorizer ? authorizerId : nil
                method.requestValidatorId = validatorId
                method.apiKeyRequired = requiresKey
            }
            if method.methodIntegration != nil {
                let fixedKeys = keys
                _ = try await app.control.updateIntegration(api: api.id, resource: resourceId, httpMethod: httpMethod) {
                    $0.cacheKeyParameters = fixedKeys
                }
            }
            app.flashInfo("Saved the Method Request of \(httpMethod) — deploy (d) to serve it")
        }
    }

    /// `a,b*` → [(a, false), (b, true)], or what is wrong with a name.
    static func parameterNames(_ text: String) -> Result<[(String, Bool)], FieldMessage> {
        var names: [(String, Bool)] = []
        for item in text.split(separator: ",") {
            let name = item.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { continue }
            let required = name.hasSuffix("*")
            let bare = required ? String(name.dropLast()) : name
            guard !bare.isEmpty, bare.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                return .failure(FieldMessage("'\(bare)' is not a parameter name"))
            }
            names.append((bare, required))
        }
        return .success(names)
    }

    /// The Integration Request box.
    func openIntegrationRequest() {
        guard let api = app.selectedApi, let row = app.selectedTreeRow, let method = row.method else { return }
        let integration = method.methodIntegration
        let kind: String
        switch (integration?.type, integration?.connectionType) {
        case (.httpProxy?, .vpcLink?): kind = "VPC link proxy"
        case (.httpProxy?, _): kind = "HTTP proxy"
        case (.http?, _): kind = "HTTP"
        case (.mock?, _): kind = "Mock"
        case (.awsProxy?, _): kind = "Lambda proxy"
        case (.aws?, _): kind = "Lambda"
        default: kind = model.links.isEmpty ? "HTTP proxy" : "VPC link proxy"
        }
        let currentFunction = integration?.uri.flatMap(LambdaFunction.name(fromInvocationUri:))
        let linkId = integration?.connectionId ?? model.links.first?.id ?? ""
        let host =
            model.links.first { $0.id == linkId }.flatMap { model.balancer(of: $0) }?.dnsName ?? "backend.internal"
        var form = Form()
        let type = form.choice(
            "Type", kind, ["VPC link proxy", "HTTP proxy", "HTTP", "Mock", "Lambda proxy", "Lambda"])
        let verb = form.choice("HTTP method", integration?.httpMethod ?? method.httpMethod, HTTPVerb.all)
        let url = form.text("Endpoint URL", integration?.uri ?? "http://\(host)\(row.resource.path)")
        let link = form.add("VPC link", linkId, choices: model.links.isEmpty ? nil : model.links.map(\.id)) {
            Result<String, FieldMessage>.success($0)
        }
        let timeout = form.integer(
            "Timeout (ms)", integration?.timeoutInMillis ?? Integration.defaultTimeout, in: Integration.timeoutRange)
        // Offered once there is a function to call (the Functions pane, 9, registers them).
        let functionNames = model.functions.map(\.name)
        let function =
            functionNames.isEmpty
            ? nil
            : form.choice(
                "Lambda function",
                currentFunction.flatMap { functionNames.contains($0) ? $0 : nil } ?? functionNames[0],
                functionNames)
        let resourceId = row.resource.id
        let region = app.control.region
        let httpMethod = method.httpMethod
        app.dialog = .form(
            "Integration Request: \(method.httpMethod) \(row.resource.path)",
            [
                "With a VPC link, the URL gives the Host header and the path; the link picks the target. A Lambda "
                    + "integration calls a function registered on the Functions pane (9)."
            ], form
        ) { form in
            let chosen = try form(type)
            var integration: Integration
            switch chosen {
            case "Mock":
                integration = Integration(
                    type: .mock, requestTemplates: ["application/json": "{\"statusCode\": 200}"],
                    integrationResponses: ["200": IntegrationResponse(statusCode: "200")])
            case "HTTP":
                integration = Integration(
                    type: .http, httpMethod: try form(verb), uri: try form(url),
                    integrationResponses: ["200": IntegrationResponse(statusCode: "200")])
            case "Lambda proxy", "Lambda":
                guard let function else {
                    throw FieldProblem(
                        field: type.index,
                        message: "No Lambda function to call yet: register one on the Functions pane (9, then n)")
                }
                let name = try form(function)
                let arn = LambdaFunction.arn(name, region: region)
                integration = Integration(
                    type: chosen == "Lambda proxy" ? .awsProxy : .aws, httpMethod: "POST",
                    uri: "arn:aws:apigateway:\(region):lambda:path/2015-03-31/functions/\(arn)/invocations",
                    integrationResponses: chosen == "Lambda" ? ["200": IntegrationResponse(statusCode: "200")] : [:])
            case "VPC link proxy":
                let id = try form(link)
                guard !id.isEmpty else {
                    throw FieldProblem(
                        field: link.index, message: "Choose a VPC link (create one on the VPC links pane)")
                }
                integration = Integration(
                    type: .httpProxy, httpMethod: try form(verb), uri: try form(url), connectionType: .vpcLink,
                    connectionId: id)
            default:
                integration = Integration(type: .httpProxy, httpMethod: try form(verb), uri: try form(url))
            }
            integration.timeoutInMillis = try form(timeout)
            // The same kind of integration keeps what this form does not show: its mapping templates, its
            // integration responses, parameters, cache keys and passthrough behaviour.
            if let existing = method.methodIntegration, kind == chosen {
                var kept = existing
                kept.httpMethod = integration.httpMethod
                kept.uri = integration.uri
                kept.connectionType = integration.connectionType
                kept.connectionId = integration.connectionId
                kept.timeoutInMillis = integration.timeoutInMillis
                integration = kept
            }
            do {
                _ = try await app.control.putIntegration(
                    api: api.id, resource: resourceId, httpMethod: httpMethod, integration: integration)
            } catch let error as GatewayError where error.message.localizedCaseInsensitiveContains("uri") {
                throw FieldProblem(field: url.index, message: error.message)
            }
            app.flashInfo("Saved the Integration Request of \(httpMethod) (\(chosen)) — deploy (d) to serve it")
        }
    }

    /// The Test form: path (with its parameters filled in), query string, headers and body.
    func openTest() {
        guard let api = app.selectedApi, let row = app.selectedTreeRow, let method = row.method else { return }
        var form = Form()
        let path = form.text("Path", row.resource.path.replacingOccurrences(of: "{id}", with: "1"), required: true)
        let query = form.text("Query string")
        let headers = form.pairs(
            "Headers", method.httpMethod == "GET" ? "" : "Content-Type:application/json", separator: ":")
        let body = form.text("Body", method.httpMethod == "POST" ? "{\"name\": \"test.jpg\"}" : "")
        let resourceId = row.resource.id
        let resourcePath = row.resource.path
        let httpMethod = method.httpMethod
        app.dialog = .form(
            "Test \(method.httpMethod) \(row.resource.path)",
            ["No API key check, no throttling, no cache: the method as it is now, before any deploy."], form
        ) { form in
            let queryText = try form(query)
            let input = TestInvokeRequest(
                pathWithQueryString: try form(path) + (queryText.isEmpty ? "" : "?" + queryText),
                headers: try form(headers), body: try form(body).isEmpty ? nil : try form(body))
            let result = try await app.control.testInvoke(
                api: api.id, resource: resourceId, httpMethod: httpMethod, input: input)
            var text = [
                "Request: \(httpMethod) \(input.pathWithQueryString)", "Status: \(result.status)",
                "Latency: \(result.latencyMillis) ms", "", "Response body",
            ]
            text += ConsoleApp.pretty(result.body).split(separator: "\n", omittingEmptySubsequences: false).map(
                String.init)
            text +=
                ["", "Response headers"] + result.headers.sorted { $0.key < $1.key }.map { "  \($0.key): \($0.value)" }
            text += ["", "Logs"] + result.log.split(separator: "\n").map(String.init)
            app.dialog = .message("Test \(httpMethod) \(resourcePath): \(result.status)", text)
        }
    }
}
