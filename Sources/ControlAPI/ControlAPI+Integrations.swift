import Foundation
import GatewayControl
import GatewayModel

extension ControlAPI {
    /// Method responses, the integration and integration responses of one method.
    static func methodPartRoutes(_ method: String) -> [Route] {
        let response = method + "/responses/{status}"
        let integration = method + "/integration"
        let integrationResponse = integration + "/responses/{status}"
        return [
            Route("PUT", response) { api, call in
                let body = try call.json()
                _ = try ControlAPI.responseStatus(call)
                let saved = try await api.control.putMethodResponse(
                    api: call.apiId, resource: call.resourceId,
                    httpMethod: call.verb,
                    statusCode: call[parameter: "status"],
                    responseParameters: try body.boolMap("responseParameters") ?? [:],
                    responseModels: try body.stringMap("responseModels") ?? [:],
                    shownWhenEmpty: ["responseParameters", "responseModels"].filter { body.has($0) })
                return .json(201, Shapes.methodResponse(saved))
            },
            Route("GET", response) { api, call in
                _ = try ControlAPI.responseStatus(call)
                return .json(200, Shapes.methodResponse(try await api.methodResponse(call)))
            },
            Route("PATCH", response) { api, call in
                let operations = try PatchOperation.list(
                    try call.json(), input: "updateMethodResponseInput",
                    alsoInvalid: [ControlAPI.responseStatusProblem(call)].compactMap { $0 })
                let status = call[parameter: "status"]
                let updated = try await api.control.updateMethod(
                    api: call.apiId, resource: call.resourceId,
                    httpMethod: call.verb
                ) { method in
                    guard var response = method.methodResponses[status] else {
                        throw GatewayError.notFound("Invalid Response status code specified")
                    }
                    try Patches.apply(operations, to: &response)
                    method.methodResponses[status] = response
                }
                // UpdateMethodResponse answers 201, as AWS does (its other updates answer 200).
                return .json(201, Shapes.methodResponse(updated.methodResponses[status]!))
            },
            Route("DELETE", response) { api, call in
                _ = try ControlAPI.responseStatus(call)
                try await api.control.deleteMethodResponse(
                    api: call.apiId, resource: call.resourceId,
                    httpMethod: call.verb,
                    statusCode: call[parameter: "status"])
                return .empty(204)
            },
            Route("PUT", integration) { api, call in try await api.putIntegration(call) },
            Route("GET", integration) { api, call in
                try api.control.requireMethodResource(call.resourceId, api: call.apiId)
                guard let integration = try await api.method(call).methodIntegration else {
                    throw GatewayError.notFound("Invalid Integration identifier specified")
                }
                return .json(200, Shapes.integration(integration))
            },
            Route("PATCH", integration) { api, call in
                let operations = try PatchOperation.list(try call.json(), input: "updateIntegrationInput")
                let updated = try await api.control.updateIntegration(
                    api: call.apiId, resource: call.resourceId,
                    httpMethod: call.verb
                ) { try Patches.apply(operations, to: &$0) }
                return .json(200, Shapes.integration(updated))
            },
            Route("DELETE", integration) { api, call in
                try await api.control.deleteIntegration(
                    api: call.apiId, resource: call.resourceId,
                    httpMethod: call.verb)
                return .empty(204)
            },
            Route("PUT", integrationResponse) { api, call in
                let body = try call.json()
                let status = try ControlAPI.responseStatus(call)
                let templates = try body.stringMap("responseTemplates", nullAsEmpty: true) ?? [:]
                if let bad = templates.keys.sorted().first(where: { !ControlAPI.isContentType($0) }) {
                    throw ControlError.badRequest(
                        "Validation Result: warnings : [], errors : [Invalid content type specified: \(bad)]")
                }
                // An empty selection pattern is kept as given (AWS answers it back); it selects as none does.
                let response = IntegrationResponse(
                    statusCode: status,
                    selectionPattern: try body.string("selectionPattern"),
                    responseParameters: try body.stringMap("responseParameters") ?? [:],
                    responseTemplates: templates,
                    contentHandling: try body.enumValue("contentHandling", ContentHandling.self))
                let saved = try await api.control.putIntegrationResponse(
                    api: call.apiId, resource: call.resourceId,
                    httpMethod: call.verb,
                    response: response)
                return .json(201, Shapes.integrationResponse(saved))
            },
            Route("GET", integrationResponse) { api, call in
                let status = try ControlAPI.responseStatus(call)
                try api.control.requireMethodResource(call.resourceId, api: call.apiId)
                guard let integration = try await api.method(call).methodIntegration else {
                    throw GatewayError.notFound("Invalid Integration identifier specified")
                }
                guard let response = integration.integrationResponses[status] else {
                    throw GatewayError.notFound("Invalid Response status code specified")
                }
                return .json(200, Shapes.integrationResponse(response))
            },
            Route("PATCH", integrationResponse) { api, call in
                let operations = try PatchOperation.list(
                    try call.json(), input: "updateIntegrationResponseInput",
                    alsoInvalid: [ControlAPI.responseStatusProblem(call)].compactMap { $0 })
                let status = call[parameter: "status"]
                let updated = try await api.control.updateIntegration(
                    api: call.apiId, resource: call.resourceId,
                    httpMethod: call.verb
                ) { integration in
                    guard var response = integration.integrationResponses[status] else {
                        throw GatewayError.notFound("Invalid Response status code specified")
                    }
                    try Patches.apply(operations, to: &response)
                    integration.integrationResponses[status] = response
                }
                return .json(200, Shapes.integrationResponse(updated.integrationResponses[status]!))
            },
            Route("DELETE", integrationResponse) { api, call in
                _ = try ControlAPI.responseStatus(call)
                // AWS names the resource for an unknown API, and the integration for a method that is not there.
                try api.control.requireMethodResource(call.resourceId, api: call.apiId)
                guard (try? await api.method(call))?.methodIntegration != nil else {
                    throw GatewayError.notFound("Invalid Integration identifier specified")
                }
                try await api.control.deleteIntegrationResponse(
                    api: call.apiId, resource: call.resourceId,
                    httpMethod: call.verb,
                    statusCode: call[parameter: "status"])
                return .empty(204)
            },
        ]
    }

    /// The `{status}` of a method or integration response path, or AWS's ValidationException when it is not
    /// three digits from 100 to 599.
    static func responseStatus(_ call: ControlCall) throws -> String {
        if let problem = responseStatusProblem(call) { throw ControlError.validation([problem]) }
        return call[parameter: "status"]
    }

    /// What AWS says of a `{status}` that is not three digits from 100 to 599, or nil.
    static func responseStatusProblem(_ call: ControlCall) -> String? {
        let status = call[parameter: "status"]
        let digits = Array(status.utf8)
        guard digits.count == 3, (UInt8(ascii: "1")...UInt8(ascii: "5")).contains(digits[0]),
            digits.dropFirst().allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else {
            return
                "Value '\(status)' at 'statusCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [1-5]\\d\\d"
        }
        return nil
    }

    /// A media type as a template's key: `type/subtype`, each part non-empty and without spaces.
    static func isContentType(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && !$0.contains(" ") }
    }

    func methodResponse(_ call: ControlCall) async throws -> MethodResponse {
        guard let response = try await method(call).methodResponses[call[parameter: "status"]] else {
            throw GatewayError.notFound("Invalid Response status code specified")
        }
        return response
    }

    /// `PUT …/integration` (PutIntegration).
    func putIntegration(_ call: ControlCall) async throws -> Reply {
        let body = try call.json()
        guard
            let type = try body.enumValue(
                "type", IntegrationType.self, member: "putIntegrationInput.type",
                listed: ["HTTP", "MOCK", "AWS_PROXY", "HTTP_PROXY", "AWS"])
        else {
            throw ControlError.badRequest("Enumeration value for IntegrationType must be non-empty")
        }
        var integration = Integration(
            type: type, httpMethod: try body.string("integrationHttpMethod") ?? body.string("httpMethod"),
            uri: try body.string("uri"),
            connectionType: try body.enumValue("connectionType", ConnectionType.self) ?? .internet,
            connectionId: try body.string("connectionId"), credentials: try body.string("credentials"),
            requestParameters: try body.stringMap("requestParameters") ?? [:],
            requestTemplates: try body.stringMap("requestTemplates") ?? [:],
            passthroughBehavior: try body.enumValue("passthroughBehavior", PassthroughBehavior.self),
            contentHandling: try body.enumValue("contentHandling", ContentHandling.self),
            timeoutInMillis: try body.int("timeoutInMillis") ?? Integration.defaultTimeout,
            cacheNamespace: try body.string("cacheNamespace"),
            cacheKeyParameters: try body.strings("cacheKeyParameters") ?? [])
        if let tls = try body.object("tlsConfig"), let skip = try tls.bool("insecureSkipVerification") {
            integration.tlsConfig = TLSConfig(insecureSkipVerification: skip)
        }
        let saved = try await control.putIntegration(
            api: call.apiId, resource: call.resourceId, httpMethod: call.verb,
            integration: integration)
        return .json(201, Shapes.integration(saved))
    }
}
