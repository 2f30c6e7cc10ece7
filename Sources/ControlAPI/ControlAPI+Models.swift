import Foundation
import GatewayControl
import GatewayModel

extension ControlAPI {
    /// Models, request validators and gateway responses.
    static var modelRoutes: [Route] {
        [
            Route("GET", "restapis/{api}/models") { api, call in
                let models = try api.control.models(api: call.apiId)
                let (items, position) = try call.page(models)
                return .json(200, Shapes.list(items.map(Shapes.object), position: position))
            },
            Route("POST", "restapis/{api}/models") { api, call in
                let body = try call.json()
                guard let name = try body.string("name"), !name.isEmpty else {
                    throw ControlError.badRequest("Model name must be non-empty")
                }
                _ = try api.control.restApi(call.apiId)
                guard let schema = try body.string("schema"), !schema.isEmpty else {
                    throw ControlError.badRequest(Model.emptySchemaMessage)
                }
                let model = try await api.control.createModel(
                    api: call.apiId, name: name, schema: schema,
                    contentType: try body.string("contentType") ?? "application/json",
                    description: try body.string("description"))
                return .json(201, Shapes.object(model))
            },
            Route("GET", "restapis/{api}/models/{name}") { api, call in
                .json(200, Shapes.object(try api.namedModel(call)))
            },
            Route("PATCH", "restapis/{api}/models/{name}") { api, call in
                let operations = try PatchOperation.list(try call.json(), input: "updateModelInput")
                _ = try api.namedModel(call)
                let model = try await api.control.updateModel(
                    api: call.apiId, name: call[parameter: "name"]
                ) {
                    try Patches.apply(operations, to: &$0)
                }
                return .json(200, Shapes.object(model))
            },
            Route("DELETE", "restapis/{api}/models/{name}") { api, call in
                _ = try api.namedModel(call)
                try await api.control.deleteModel(api: call.apiId, name: call[parameter: "name"])
                return .empty(202)
            },
            Route("GET", "restapis/{api}/requestvalidators") { api, call in
                let validators = try api.control.requestValidators(api: call.apiId)
                let (items, position) = try call.page(validators)
                return .json(200, Shapes.list(items.map(Shapes.object), position: position))
            },
            Route("POST", "restapis/{api}/requestvalidators") { api, call in
                let body = try call.json()
                // AWS answers a validator for an unknown API with a 400 of its own wording.
                guard (try? api.control.restApi(call.apiId)) != nil else {
                    throw ControlError.badRequest("Invalid REST API identifier specified")
                }
                let validator = try await api.control.createRequestValidator(
                    api: call.apiId, name: try body.string("name") ?? "",
                    validateRequestBody: try body.bool("validateRequestBody") ?? false,
                    validateRequestParameters: try body.bool("validateRequestParameters") ?? false)
                return .json(201, Shapes.object(validator))
            },
            Route("GET", "restapis/{api}/requestvalidators/{id}") { api, call in
                .json(200, Shapes.object(try await api.requestValidator(call)))
            },
            Route("PATCH", "restapis/{api}/requestvalidators/{id}") { api, call in
                let operations = try PatchOperation.list(try call.json(), input: "updateRequestValidatorInput")
                _ = try await api.requestValidator(call)
                let validator = try await api.control.updateRequestValidator(
                    api: call.apiId, id: call[parameter: "id"]
                ) { try Patches.apply(operations, to: &$0) }
                return .json(200, Shapes.object(validator))
            },
            Route("DELETE", "restapis/{api}/requestvalidators/{id}") { api, call in
                _ = try await api.requestValidator(call)
                try await api.control.deleteRequestValidator(api: call.apiId, id: call[parameter: "id"])
                return .empty(202)
            },
            Route("GET", "restapis/{api}/gatewayresponses") { api, call in
                let responses = try await api.gatewayResponses(call)
                let (items, position) = try call.page(responses)
                return .json(200, Shapes.list(items.map(Shapes.gatewayResponse), position: position))
            },
            Route("GET", "restapis/{api}/gatewayresponses/{type}") { api, call in
                let type = try ControlAPI.gatewayResponseType(call)
                guard let response = try await api.gatewayResponses(call).first(where: { $0.responseType == type })
                else { throw GatewayError.notFound("Invalid Gateway Response type specified") }
                return .json(200, Shapes.gatewayResponse(response))
            },
            Route("PUT", "restapis/{api}/gatewayresponses/{type}") { api, call in
                let body = try call.json()
                let type = try ControlAPI.gatewayResponseType(call)
                // A put replaces the whole response: without templates it gets API Gateway's default one, without a
                // status the type's own (not DEFAULT_4XX's or DEFAULT_5XX's), as AWS answers.
                let response = GatewayResponse(
                    responseType: type,
                    statusCode: try body.string("statusCode") ?? GatewayResponses.defaultStatus[type],
                    responseParameters: try body.stringMap("responseParameters") ?? [:],
                    responseTemplates: try body.stringMap("responseTemplates") ?? GatewayResponses.defaultTemplates)
                let saved = try await api.control.putGatewayResponse(api: call.apiId, response: response)
                return .json(201, Shapes.gatewayResponse(saved))
            },
            Route("PATCH", "restapis/{api}/gatewayresponses/{type}") { api, call in
                let operations = try PatchOperation.list(
                    try call.json(), input: "updateGatewayResponseInput", missingPath: "Invalid patch path null")
                let type = try ControlAPI.gatewayResponseType(call)
                guard var response = try await api.gatewayResponses(call).first(where: { $0.responseType == type })
                else { throw GatewayError.notFound("Invalid Gateway Response type specified") }
                try Patches.apply(operations, to: &response)
                let saved = try await api.control.putGatewayResponse(api: call.apiId, response: response)
                return .json(200, Shapes.gatewayResponse(saved))
            },
            Route("DELETE", "restapis/{api}/gatewayresponses/{type}") { api, call in
                let type = try ControlAPI.gatewayResponseType(call)
                _ = try await api.gatewayResponses(call)
                try await api.control.deleteGatewayResponse(api: call.apiId, type: type)
                return .empty(202)
            },
        ]
    }

    /// The model a path names. AWS answers an unknown model, and a model of an unknown API, alike.
    func namedModel(_ call: ControlCall) throws -> Model {
        let name = call[parameter: "name"]
        guard let model = (try? control.models(api: call.apiId))?.first(where: { $0.name == name }) else {
            throw GatewayError.notFound("Invalid model name specified: \(name)")
        }
        return model
    }

    /// The validator a path names. AWS answers an unknown validator, and a validator of an unknown API, alike.
    func requestValidator(_ call: ControlCall) async throws -> RequestValidator {
        let id = call[parameter: "id"]
        guard let validator = (try? control.requestValidators(api: call.apiId))?.first(where: { $0.id == id })
        else { throw GatewayError.notFound(RequestValidator.unknownMessage) }
        return validator
    }

    /// Every response type: the API's own, and API Gateway's defaults for the rest (`defaultResponse: true`).
    /// The `{type}` of a gateway response path, or AWS's ValidationException for a type that is not one.
    static func gatewayResponseType(_ call: ControlCall) throws -> String {
        // The order of AWS's recorded answer to an unknown type.
        let gatewayResponseTypesAsAWSListsThem = [
            "REQUEST_TOO_LARGE", "RESOURCE_NOT_FOUND", "AUTHORIZER_CONFIGURATION_ERROR", "MISSING_AUTHENTICATION_TOKEN",
            "BAD_REQUEST_BODY", "INVALID_SIGNATURE", "INVALID_API_KEY", "BAD_REQUEST_PARAMETERS", "AUTHORIZER_FAILURE",
            "UNAUTHORIZED", "INTEGRATION_TIMEOUT", "ACCESS_DENIED", "DEFAULT_4XX", "DEFAULT_5XX", "WAF_FILTERED",
            "QUOTA_EXCEEDED", "THROTTLED", "API_CONFIGURATION_ERROR", "UNSUPPORTED_MEDIA_TYPE", "INTEGRATION_FAILURE",
            "EXPIRED_TOKEN",
        ]
        let type = call[parameter: "type"]
        guard GatewayResponse.types.contains(type) else {
            throw ControlError.validation(
                value: type, at: "responseType", allowed: gatewayResponseTypesAsAWSListsThem, inOrder: true)
        }
        return type
    }

    /// Every type, set or not. A type not set shows its default status and, when `DEFAULT_4XX` or `DEFAULT_5XX`
    /// (by its status's class) is set, that one's parameters and templates, as the engine answers with them.
    func gatewayResponses(_ call: ControlCall) async throws -> [GatewayResponse] {
        let own = try control.gatewayResponses(api: call.apiId)
        let byType = Dictionary(own.map { ($0.responseType, $0) }, uniquingKeysWith: { first, _ in first })
        return GatewayResponse.types.sorted().map { type in
            if let set = byType[type] { return set }
            let status = GatewayResponses.defaultStatus[type]
            let family = (status?.hasPrefix("5") ?? (type == "DEFAULT_5XX")) ? "DEFAULT_5XX" : "DEFAULT_4XX"
            let inherited = type == family ? nil : byType[family]
            return GatewayResponse(
                responseType: type, statusCode: inherited?.statusCode ?? status,
                responseParameters: inherited?.responseParameters ?? [:],
                responseTemplates: inherited?.responseTemplates ?? GatewayResponses.defaultTemplates,
                defaultResponse: true)
        }
    }
}

/// API Gateway's default status code of each gateway response type.
enum GatewayResponses {
    /// The template of every gateway response API Gateway has not been given another one for.
    static let defaultTemplates = ["application/json": "{\"message\":$context.error.messageString}"]

    static let defaultStatus: [String: String] = [
        "ACCESS_DENIED": "403", "API_CONFIGURATION_ERROR": "500", "AUTHORIZER_CONFIGURATION_ERROR": "500",
        "AUTHORIZER_FAILURE": "500", "BAD_REQUEST_PARAMETERS": "400", "BAD_REQUEST_BODY": "400",
        "EXPIRED_TOKEN": "403", "INTEGRATION_FAILURE": "504", "INTEGRATION_TIMEOUT": "504", "INVALID_API_KEY": "403",
        "INVALID_SIGNATURE": "403", "MISSING_AUTHENTICATION_TOKEN": "403", "QUOTA_EXCEEDED": "429",
        "REQUEST_TOO_LARGE": "413", "RESOURCE_NOT_FOUND": "404", "THROTTLED": "429", "UNAUTHORIZED": "401",
        "UNSUPPORTED_MEDIA_TYPE": "415", "WAF_FILTERED": "403",
    ]
}

extension Shapes {
    static func gatewayResponse(_ response: GatewayResponse) -> [String: Any] {
        var object: [String: Any] = [
            "responseType": response.responseType, "defaultResponse": response.defaultResponse,
        ]
        if let status = response.statusCode { object["statusCode"] = status }
        // Both maps are always there, empty or not, as AWS answers.
        object["responseParameters"] = response.responseParameters
        object["responseTemplates"] = response.responseTemplates
        return object
    }
}
