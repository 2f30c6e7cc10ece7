import Foundation
import GatewayControl
import GatewayEngine
import GatewayModel

extension ControlAPI {
    static var authorizerRoutes: [Route] {
        [
            Route("POST", "restapis/{api}/authorizers") { api, call in
                let body = try call.json()
                guard let type = try body.enumValue("type", AuthorizerType.self) else {
                    throw ControlError.badRequest("Authorizer type must be one of TOKEN, REQUEST, COGNITO_USER_POOLS")
                }
                let authorizer = Authorizer(
                    id: "", name: try body.string("name") ?? "", type: type,
                    providerARNs: try body.strings("providerARNs"), authType: try body.string("authType"),
                    authorizerUri: try body.string("authorizerUri"),
                    authorizerCredentials: try body.string("authorizerCredentials"),
                    identitySource: try body.string("identitySource"),
                    identityValidationExpression: try body.string("identityValidationExpression"),
                    authorizerResultTtlInSeconds: try body.int("authorizerResultTtlInSeconds"))
                let created = try await api.control.createAuthorizer(api: call.apiId, authorizer)
                return .json(201, Shapes.object(created))
            },
            Route("GET", "restapis/{api}/authorizers") { api, call in
                let (items, position) = try call.page(try api.control.authorizers(api: call.apiId))
                return .json(200, Shapes.list(items.map(Shapes.object), position: position))
            },
            Route("GET", "restapis/{api}/authorizers/{id}") { api, call in
                .json(
                    200,
                    Shapes.object(
                        try api.control.authorizer(api: call.apiId, id: call[parameter: "id"])))
            },
            Route("PATCH", "restapis/{api}/authorizers/{id}") { api, call in
                let operations = try PatchOperation.list(try call.json(), input: "updateAuthorizerInput")
                let updated = try await api.control.updateAuthorizer(
                    api: call.apiId, id: call[parameter: "id"]
                ) {
                    try Patches.apply(operations, to: &$0)
                }
                return .json(200, Shapes.object(updated))
            },
            Route("DELETE", "restapis/{api}/authorizers/{id}") { api, call in
                try await api.control.deleteAuthorizer(api: call.apiId, id: call[parameter: "id"])
                return .empty(202)
            },
            // TestInvokeAuthorizer.
            Route("POST", "restapis/{api}/authorizers/{id}") { api, call in
                let body = try call.json()
                var headers = (try body.stringMap("headers") ?? [:]).sorted { $0.key < $1.key }.map {
                    ($0.key, $0.value)
                }
                if body.has("multiValueHeaders"), let multi = body.values["multiValueHeaders"] as? [String: [String]] {
                    for (name, values) in multi.sorted(by: { $0.key < $1.key }) {
                        for value in values where !headers.contains(where: { $0 == (name, value) }) {
                            headers.append((name, value))
                        }
                    }
                }
                let result = try await api.control.testInvokeAuthorizer(
                    api: call.apiId, id: call[parameter: "id"],
                    input: TestInvokeRequest(
                        pathWithQueryString: try body.string("pathWithQueryString") ?? "/", headers: headers,
                        body: try body.string("body"), stageVariables: try body.stringMap("stageVariables") ?? [:]))
                var answer: [String: Any] = [
                    "clientStatus": result.clientStatus, "log": result.log, "latency": result.latencyMillis,
                ]
                answer["principalId"] = result.principalId
                answer["policy"] = result.policy
                answer["authorization"] = result.authorization
                answer["claims"] = result.claims
                return .json(200, answer)
            },
        ]
    }
}

extension Patches {
    static func apply(_ operations: [PatchOperation], to authorizer: inout Authorizer) throws {
        let allowed = [
            "/name", "/type", "/authorizerUri", "/authorizerCredentials", "/identitySource",
            "/identityValidationExpression", "/authorizerResultTtlInSeconds", "/authType", "/providerARNs/{arn}",
        ]
        for operation in operations {
            let parts = operation.segments
            switch (operation.op, parts.first ?? "", parts.count) {
            case (.replace, "name", 1): authorizer.name = try operation.string()
            case (.replace, "type", 1): authorizer.type = try operation.enumValue(AuthorizerType.self)
            case (.replace, "authorizerUri", 1): authorizer.authorizerUri = operation.value
            case (.replace, "authorizerCredentials", 1): authorizer.authorizerCredentials = operation.value
            case (.replace, "identitySource", 1): authorizer.identitySource = operation.value
            case (.replace, "identityValidationExpression", 1):
                authorizer.identityValidationExpression = operation.value.flatMap { $0.isEmpty ? nil : $0 }
            case (.replace, "authorizerResultTtlInSeconds", 1):
                authorizer.authorizerResultTtlInSeconds = try operation.int(0...3600)
            case (.replace, "authType", 1): authorizer.authType = operation.value
            case (.add, "providerARNs", 2):
                var arns = authorizer.providerARNs ?? []
                if !arns.contains(parts[1]) { arns.append(parts[1]) }
                authorizer.providerARNs = arns
            case (.remove, "providerARNs", 2): authorizer.providerARNs?.removeAll { $0 == parts[1] }
            default: throw operation.unsupported(allowed)
            }
        }
    }
}
