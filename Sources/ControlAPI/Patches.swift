import Foundation
import GatewayModel

/// The patch paths each object takes, applied to the model value inside the control plane's transaction, so a
/// bad operation anywhere in the list changes nothing.
enum Patches {
    static func apply(_ operations: [PatchOperation], to api: inout RestApi) throws {
        let allowed = [
            "/name", "/description", "/version", "/apiKeySource", "/binaryMediaTypes/{type}",
            "/minimumCompressionSize", "/disableExecuteApiEndpoint", "/policy", "/endpointConfiguration/types/0",
            "/endpointConfiguration/ipAddressType",
        ]
        for operation in operations {
            let parts = operation.segments
            switch (operation.op, parts.first ?? "") {
            case (.replace, "name"): api.name = try operation.string()
            case (.replace, "description"): api.description = operation.value
            case (.remove, "description"): api.description = nil
            case (.replace, "version"): api.version = operation.value
            case (.replace, "policy"): api.policy = operation.value
            case (.replace, "apiKeySource"): api.apiKeySource = try operation.enumValue(ApiKeySource.self)
            case (.replace, "minimumCompressionSize"):
                if let text = operation.value, !text.isEmpty {
                    guard let size = Int(text), (0...10_485_760).contains(size) else {
                        throw ControlError.badRequest(RestApi.compressionSizeMessage)
                    }
                    api.minimumCompressionSize = size
                } else {
                    api.minimumCompressionSize = nil
                }
            case (_, "minimumCompressionSize"):
                throw ControlError.badRequest("Invalid patch operation specified. Must be one of: [replace]")
            case (.replace, "disableExecuteApiEndpoint"): api.disableExecuteApiEndpoint = try operation.bool()
            // binaryMediaTypes is patched like a map keyed by the type (`/binaryMediaTypes/image~1png`); the list
            // itself is not a patch path, as AWS answers.
            case (_, "binaryMediaTypes") where parts.count == 1:
                throw ControlError.badRequest("Invalid patch path /binaryMediaTypes")
            case (.add, "binaryMediaTypes") where parts.count == 2:
                if !api.binaryMediaTypes.contains(parts[1]) { api.binaryMediaTypes.append(parts[1]) }
            case (.remove, "binaryMediaTypes") where parts.count == 2:
                api.binaryMediaTypes.removeAll { $0 == parts[1] }
            case (.replace, "binaryMediaTypes") where parts.count == 2:
                api.binaryMediaTypes.removeAll { $0 == parts[1] }
                let type = try operation.string()
                if !api.binaryMediaTypes.contains(type) { api.binaryMediaTypes.append(type) }
            // The endpoint type and IP address type, checked in AWS's words: a private API is dualstack only (a
            // change to PRIVATE makes it so).
            case (.replace, "endpointConfiguration") where parts.count == 3 && parts[1] == "types":
                guard let type = operation.value.flatMap(EndpointType.init(rawValue:)) else {
                    throw ControlError.badRequest(
                        "Invalid EndpointTypes specified. Valid options are REGIONAL,EDGE,PRIVATE")
                }
                api.endpointConfiguration.types = [type]
                if type == .private { api.endpointConfiguration.ipAddressType = .dualstack }
            case (_, "endpointConfiguration") where parts.count == 3 && parts[1] == "types":
                throw ControlError.badRequest("Invalid patch operation specified. Must be 'add'|'remove'|'replace'")
            case (.replace, "endpointConfiguration") where parts.count == 2 && parts[1] == "ipAddressType":
                guard let type = operation.value.flatMap(IpAddressType.init(rawValue:)) else {
                    throw ControlError.badRequest("ipAddressType must be either ipv4 or dualstack.")
                }
                if type == .ipv4, api.endpointConfiguration.types.contains(.private) {
                    throw ControlError.badRequest("Only dualstack ipAddressType is supported for Private APIs.")
                }
                api.endpointConfiguration.ipAddressType = type
            case (_, "endpointConfiguration") where parts.count == 2 && parts[1] == "ipAddressType":
                throw ControlError.badRequest("Invalid patch operation specified. Must be one of: [replace]")
            default: throw operation.unsupported(allowed)
            }
        }
    }

    /// A method's patch paths: `/apiKeyRequired`, `/authorizationType`, `/authorizerId`, `/operationName`,
    /// `/requestValidatorId` (replace only), `/requestParameters/{name}`, `/requestModels/{contentType}`,
    /// `/authorizationScopes`.
    static func apply(_ operations: [PatchOperation], to method: inout Method) throws {
        for operation in operations {
            let parts = operation.segments
            switch (operation.op, parts.first ?? "", parts.count) {
            case (.replace, "apiKeyRequired", 1): method.apiKeyRequired = operation.javaBool
            case (.replace, "authorizationType", 1):
                method.authorizationType = try operation.enumValue(AuthorizationType.self)
            case (.replace, "authorizerId", 1): method.authorizerId = operation.value
            case (.replace, "operationName", 1): method.operationName = operation.value
            case (.replace, "requestValidatorId", 1): method.requestValidatorId = operation.value
            case (.add, "authorizationScopes", 1):
                let scope = try operation.string()
                var scopes = method.authorizationScopes ?? []
                if !scopes.contains(scope) { scopes.append(scope) }
                method.authorizationScopes = scopes
            case (.remove, "authorizationScopes", 1):
                if let scope = operation.value {
                    method.authorizationScopes?.removeAll { $0 == scope }
                } else {
                    method.authorizationScopes = nil
                }
                if method.authorizationScopes?.isEmpty == true { method.authorizationScopes = nil }
            case (_, "requestParameters", 2):
                try operation.apply(to: &method.requestParameters, key: parts[1]) {
                    operation.value == nil ? false : try operation.bool()
                }
            case (_, "requestModels", 2):
                try operation.apply(to: &method.requestModels, key: parts[1]) { try operation.string() }
            case (_, "apiKeyRequired", 1), (_, "authorizationType", 1), (_, "authorizerId", 1),
                (_, "operationName", 1), (_, "requestValidatorId", 1):
                throw ControlError.badRequest("Invalid patch operation specified. Must be one of: [replace]")
            default:
                // AWS's answer for a path a method does not have, written as the client wrote it.
                throw ControlError.badRequest("Invalid patch path \(operation.path)")
            }
        }
        // An authorizer is kept only for the authorization types that use one, as AWS answers.
        if method.authorizationType == .none || method.authorizationType == .awsIam { method.authorizerId = nil }
    }

    /// A method response's patch, in AWS's words: what is replaced or removed must be there.
    static func apply(_ operations: [PatchOperation], to response: inout MethodResponse) throws {
        for operation in operations {
            let parts = operation.segments
            switch (parts.first ?? "", parts.count) {
            case ("responseParameters", 2):
                if operation.op != .add, response.responseParameters[parts[1]] == nil {
                    throw GatewayError.notFound("Invalid parameter name specified")
                }
                try operation.apply(to: &response.responseParameters, key: parts[1]) {
                    operation.value == nil ? false : try operation.bool()
                }
            case ("responseModels", 2):
                if operation.op != .add, response.responseModels[parts[1]] == nil {
                    throw GatewayError.notFound("Content-Type specified was not found")
                }
                try operation.apply(to: &response.responseModels, key: parts[1]) { try operation.string() }
            default: throw ControlError.badRequest("Invalid patch path \(operation.path)")
            }
            // A map a patch empties is no longer answered (AWS leaves it out).
            let emptied =
                parts.first == "responseParameters"
                ? response.responseParameters.isEmpty : response.responseModels.isEmpty
            if operation.op == .remove, emptied {
                response.shownWhenEmpty?.removeAll { $0 == parts.first }
                if response.shownWhenEmpty?.isEmpty == true { response.shownWhenEmpty = nil }
            }
        }
    }

    static func apply(_ operations: [PatchOperation], to integration: inout Integration) throws {
        let allowed = [
            "/uri", "/httpMethod", "/type", "/connectionType", "/connectionId", "/credentials", "/timeoutInMillis",
            "/passthroughBehavior", "/contentHandling", "/cacheNamespace", "/cacheKeyParameters/{name}",
            "/requestParameters/{name}", "/requestTemplates/{contentType}", "/tlsConfig/insecureSkipVerification",
        ]
        for operation in operations {
            let parts = operation.segments
            switch (operation.op, parts.first ?? "", parts.count) {
            case (.replace, "uri", 1): integration.uri = try operation.string()
            case (.replace, "httpMethod", 1): integration.httpMethod = try operation.string().uppercased()
            case (.replace, "type", 1): integration.type = try operation.enumValue(IntegrationType.self)
            case (.replace, "connectionType", 1):
                integration.connectionType = try operation.enumValue(ConnectionType.self)
            case (.replace, "connectionId", 1): integration.connectionId = operation.value
            case (.replace, "credentials", 1): integration.credentials = operation.value
            case (.replace, "timeoutInMillis", 1):
                integration.timeoutInMillis = try operation.int(Integration.timeoutRange)
            case (.replace, "passthroughBehavior", 1):
                integration.passthroughBehavior = try operation.enumValue(PassthroughBehavior.self)
            case (.replace, "contentHandling", 1):
                integration.contentHandling =
                    operation.value?.isEmpty ?? true ? nil : try operation.enumValue(ContentHandling.self)
            case (.replace, "cacheNamespace", 1): integration.cacheNamespace = operation.value
            case (.add, "cacheKeyParameters", 2):
                if !integration.cacheKeyParameters.contains(parts[1]) {
                    integration.cacheKeyParameters.append(parts[1])
                }
            case (.remove, "cacheKeyParameters", 2): integration.cacheKeyParameters.removeAll { $0 == parts[1] }
            case (_, "requestParameters", 2):
                try operation.apply(to: &integration.requestParameters, key: parts[1]) { try operation.string() }
            case (_, "requestTemplates", 2):
                try operation.apply(to: &integration.requestTemplates, key: parts[1]) { try operation.string() }
            case (.replace, "tlsConfig", 2) where parts[1] == "insecureSkipVerification":
                integration.tlsConfig = TLSConfig(insecureSkipVerification: try operation.bool())
            default: throw operation.unsupported(allowed)
            }
        }
    }

    static func apply(_ operations: [PatchOperation], to response: inout IntegrationResponse) throws {
        let allowed = [
            "/selectionPattern", "/contentHandling", "/responseParameters/{name}", "/responseTemplates/{contentType}",
        ]
        for operation in operations {
            let parts = operation.segments
            switch (operation.op, parts.first ?? "", parts.count) {
            case (.replace, "selectionPattern", 1): response.selectionPattern = operation.value
            case (.replace, "contentHandling", 1):
                response.contentHandling =
                    operation.value?.isEmpty ?? true ? nil : try operation.enumValue(ContentHandling.self)
            case (_, "responseParameters", 2):
                try operation.apply(to: &response.responseParameters, key: parts[1]) { try operation.string() }
            case (_, "responseTemplates", 2):
                try operation.apply(to: &response.responseTemplates, key: parts[1]) { try operation.string() }
            default: throw operation.unsupported(allowed)
            }
        }
    }

    static func apply(_ operations: [PatchOperation], to key: inout ApiKey) throws {
        for operation in operations {
            switch (operation.op, operation.path) {
            case (.replace, "/name"): key.name = try operation.string()
            case (.replace, "/description"): key.description = operation.value
            case (.replace, "/enabled"): key.enabled = operation.javaBool
            case (.replace, "/customerId"): key.customerId = operation.value
            case (.add, "/stages"):
                let stage = try operation.string()
                if !key.stageKeys.contains(stage) { key.stageKeys.append(stage) }
            case (.remove, "/stages"):
                let stage = try operation.string()
                key.stageKeys.removeAll { $0 == stage }
            case (.replace, _):
                throw ControlError.badRequest(
                    "Invalid patch path  '\(operation.path)' specified for op 'replace'. Must be one of: [/description, /enabled, /name, /customerId]"
                )
            default: throw operation.unsupported(["/name", "/description", "/enabled", "/customerId", "/stages"])
            }
        }
    }

    static func apply(_ operations: [PatchOperation], to link: inout VpcLink) throws {
        for operation in operations {
            switch (operation.op, operation.path) {
            case (.replace, "/name"): link.name = try operation.string()
            case (.replace, "/description"): link.description = operation.value
            default: throw operation.unsupported(["/name", "/description"])
            }
        }
    }

    static func apply(_ operations: [PatchOperation], to model: inout Model) throws {
        for operation in operations {
            switch (operation.op, operation.path) {
            case (.replace, "/schema"):
                let schema = try operation.string()
                guard !schema.isEmpty else { throw ControlError.badRequest(Model.emptySchemaMessage) }
                model.schema = schema
            case (.replace, "/description"): model.description = operation.value.flatMap { $0.isEmpty ? nil : $0 }
            case (.replace, _):
                throw ControlError.badRequest(
                    "Invalid patch path  '\(operation.path)' specified for op 'replace'. Must be one of: [/description, /schema]"
                )
            default:
                throw ControlError.badRequest(
                    "Invalid patch path  '\(operation.path)' specified for op '\(operation.op.rawValue)'. Please choose supported operations"
                )
            }
        }
    }

    static func apply(_ operations: [PatchOperation], to validator: inout RequestValidator) throws {
        for operation in operations {
            switch (operation.op, operation.path) {
            case (.replace, "/name"):
                guard let name = operation.value, !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw ControlError.badRequest("Request Validator name cannot be blank")
                }
                validator.name = name
            case (.replace, "/validateRequestBody"):
                validator.validateRequestBody = operation.javaBool
            case (.replace, "/validateRequestParameters"):
                validator.validateRequestParameters = operation.javaBool
            case (.replace, _):
                throw ControlError.badRequest(
                    "Invalid patch path  '\(operation.path)' specified for op 'replace'. Must be one of: [/name, /validateRequestParameters, /validateRequestBody]"
                )
            default:
                throw ControlError.badRequest(
                    "Invalid patch path  '\(operation.path)' specified for op '\(operation.op.rawValue)'. Please choose supported operations"
                )
            }
        }
    }

    /// A gateway response's patch, in AWS's words: `/statusCode` is replaced only, a parameter replaced must be
    /// there, and a parameter or template is never set to nothing.
    static func apply(_ operations: [PatchOperation], to response: inout GatewayResponse) throws {
        for operation in operations {
            let parts = operation.segments
            func value(in member: String) throws -> String {
                guard let value = operation.value, !value.isEmpty else {
                    throw ControlError.badRequest("Invalid null or empty value in \(member)")
                }
                return value
            }
            switch (operation.op, parts.first ?? "", parts.count) {
            case (.replace, "statusCode", 1): response.statusCode = operation.value
            case (.add, "responseParameters", 2), (.add, "responseTemplates", 2):
                if parts[0] == "responseParameters" {
                    response.responseParameters[parts[1]] = try value(in: parts[0])
                } else {
                    response.responseTemplates[parts[1]] = try value(in: parts[0])
                }
            case (.replace, "responseParameters", 2):
                let new = try value(in: parts[0])
                guard response.responseParameters[parts[1]] != nil else {
                    throw GatewayError.notFound("Invalid parameter name specified")
                }
                response.responseParameters[parts[1]] = new
            case (.replace, "responseTemplates", 2):
                response.responseTemplates[parts[1]] = try value(in: parts[0])
            case (.remove, "responseParameters", 2): response.responseParameters[parts[1]] = nil
            case (.remove, "responseTemplates", 2): response.responseTemplates[parts[1]] = nil
            default:
                throw ControlError.badRequest("Invalid patch path \(operation.path)")
            }
        }
        response.defaultResponse = false
    }
}
