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
                let saved = try await api.control.putMethodResponse(
                    api: call.apiId, resource: call.resourceId,
                    httpMethod: call.verb,
                    statusCode: call[parameter: "status"],
                    responseParameters: try body.boolMap("responseParameters") ?? [:],
                    responseModels: try body.stringMap("responseModels") ?? [:])
                return .json(201, Shapes.object(saved))
            },
            Route("GET", response) { api, call in .json(200, Shapes.object(try await api.methodResponse(call))) },
            Route("PATCH", response) { api, call in
                let operations = try PatchOperation.list(try call.json())
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
                return .json(201, Shapes.object(updated.methodResponses[status]!))
            },
            Route("DELETE", response) { api, call in
                try await api.control.deleteMethodResponse(
                    api: call.apiId, resource: call.resourceId,
                    httpMethod: call.verb,
                    statusCode: call[parameter: "status"])
                return .empty(204)
            },
            Route("PUT", integration) { api, call in try await api.putIntegration(call) },
            Route("GET", integration) { api, call in
                guard let integration = try await api.method(call).methodIntegration else {
                    throw GatewayError.notFound("Invalid Integration identifier specified")
                }
                return .json(200, Shapes.integration(integration))
            },
            Route("PATCH", integration) { api, call in
                let operations = try PatchOperation.list(try call.json())
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
                let response = IntegrationResponse(
                    statusCode: call[parameter: "status"],
                    selectionPattern: try body.string("selectionPattern").flatMap { $0.isEmpty ? nil : $0 },
                    responseParameters: try body.stringMap("responseParameters") ?? [:],
                    responseTemplates: try body.stringMap("responseTemplates") ?? [:],
                    contentHandling: try body.enumValue("contentHandling", ContentHandling.self))
                let saved = try await api.control.putIntegrationResponse(
                    api: call.apiId, resource: call.resourceId,
                    httpMethod: call.verb,
                    response: response)
                return .json(201, Shapes.object(saved))
            },
            Route("GET", integrationResponse) { api, call in
                let status = call[parameter: "status"]
                guard let response = try await api.method(call).methodIntegration?.integrationResponses[status] else {
                    throw GatewayError.notFound("Invalid Response status code specified")
                }
                return .json(200, Shapes.object(response))
            },
            Route("PATCH", integrationResponse) { api, call in
                let operations = try PatchOperation.list(try call.json())
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
                return .json(200, Shapes.object(updated.integrationResponses[status]!))
            },
            Route("DELETE", integrationResponse) { api, call in
                try await api.control.deleteIntegrationResponse(
                    api: call.apiId, resource: call.resourceId,
                    httpMethod: call.verb,
                    statusCode: call[parameter: "status"])
                return .empty(204)
            },
        ]
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
        guard let type = try body.enumValue("type", IntegrationType.self) else {
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
