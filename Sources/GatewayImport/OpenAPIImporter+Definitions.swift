import Foundation
import GatewayModel
import OrderedCollections

/// A security scheme as the importer needs it.
struct SecurityScheme {
    var type: String
    var headerName: String?
    var location: String?
    var authType: String?
    /// The `x-amazon-apigateway-authorizer` of the scheme, named after it (its id is given when it is stored).
    var authorizer: Authorizer?
}

extension OpenAPIImporter {
    /// The schemas of `definitions` (2.0) or `components.schemas` (3.x) as models.
    mutating func readModels() -> [Model] {
        let (container, pointer): (OrderedDictionary<String, DocValue>?, String)
        if version == .swagger2 {
            container = object(members, "definitions", at: "")
            pointer = "/definitions"
        } else {
            let components = object(members, "components", at: "")
            container = components.flatMap { object($0, "schemas", at: "/components") }
            pointer = "/components/schemas"
        }
        guard let container else { return [] }
        modelNames = Set(container.keys)
        var models: [Model] = []
        for (name, schema) in container {
            let schemaPointer = JSONPointer.append(pointer, name)
            guard Model.isValidName(name) else {
                error(
                    "Unable to create model for '\(name)': Model name must be alphanumeric: \(name)", at: schemaPointer)
                continue
            }
            guard schema.objectValue != nil || schema.boolValue != nil else {
                error("The schema of model '\(name)' must be an object, not \(schema.typeName)", at: schemaPointer)
                continue
            }
            let rewritten = rewriteReferences(in: schema, at: schemaPointer)
            let description = schema["description"]?.stringValue
            models.append(
                Model(
                    id: Identifiers.shortObject(), name: name, description: description,
                    schema: DocumentWriter.json(rewritten).trimmingCharacters(in: .newlines)))
        }
        return models
    }

    /// A schema with its references to other models written as API Gateway writes them.
    mutating func rewriteReferences(in schema: DocValue, at pointer: String) -> DocValue {
        switch schema {
        case .object(var members):
            for (key, value) in members {
                let childPointer = JSONPointer.append(pointer, key)
                if key == "$ref", let target = value.stringValue {
                    if let name = modelName(ofReference: target) {
                        if modelNames.contains(name) {
                            members[key] = .string(Model.referenceURL(apiId: apiId, name: name))
                        } else {
                            error(
                                "The reference '\(target)' names a model that the document does not define",
                                at: childPointer)
                        }
                    } else if target.hasPrefix("#") {
                        if JSONPointer.resolve(String(target.dropFirst()), in: root) == nil {
                            error("The reference '\(target)' points to nothing in the document", at: childPointer)
                        }
                    } else {
                        warn(
                            "External reference '\(target)' is not followed: Gatehouse imports one self-contained document",
                            at: childPointer)
                    }
                } else {
                    members[key] = rewriteReferences(in: value, at: childPointer)
                }
            }
            return .object(members)
        case .array(let items):
            return .array(items.enumerated().map { rewriteReferences(in: $0.element, at: "\(pointer)/\($0.offset)") })
        default:
            return schema
        }
    }

    mutating func readRequestValidators() -> [String: (body: Bool, parameters: Bool)] {
        guard let validators = object(members, "x-amazon-apigateway-request-validators", at: "") else { return [:] }
        var result: [String: (body: Bool, parameters: Bool)] = [:]
        for (name, value) in validators {
            let pointer = JSONPointer.append("/x-amazon-apigateway-request-validators", name)
            guard let settings = value.objectValue else {
                error("A request validator must be an object, not \(value.typeName)", at: pointer)
                continue
            }
            result[name] = (
                bool(settings, "validateRequestBody", at: pointer) ?? false,
                bool(settings, "validateRequestParameters", at: pointer) ?? false
            )
        }
        return result
    }

    mutating func readSecuritySchemes() -> [String: SecurityScheme] {
        let (container, pointer): (OrderedDictionary<String, DocValue>?, String)
        if version == .swagger2 {
            container = object(members, "securityDefinitions", at: "")
            pointer = "/securityDefinitions"
        } else {
            container = object(members, "components", at: "").flatMap {
                object($0, "securitySchemes", at: "/components")
            }
            pointer = "/components/securitySchemes"
        }
        guard let container else { return [:] }
        var schemes: [String: SecurityScheme] = [:]
        for (name, value) in container {
            let schemePointer = JSONPointer.append(pointer, name)
            guard let (resolved, resolvedPointer) = resolve(value, at: schemePointer) else { continue }
            guard let scheme = resolved.objectValue else {
                error("A security scheme must be an object, not \(resolved.typeName)", at: resolvedPointer)
                continue
            }
            guard let type = string(scheme, "type", at: resolvedPointer) else {
                error("The security scheme '\(name)' has no 'type'", at: resolvedPointer)
                continue
            }
            schemes[name] = SecurityScheme(
                type: type, headerName: scheme["name"]?.stringValue, location: scheme["in"]?.stringValue,
                authType: scheme["x-amazon-apigateway-authtype"]?.stringValue,
                authorizer: readAuthorizer(named: name, in: scheme, at: resolvedPointer))
        }
        return schemes
    }

    /// A scheme's `x-amazon-apigateway-authorizer`: `type` token, request or cognito_user_pools, with its URI,
    /// credentials, identity source, validation expression, TTL or user pool ARNs.
    mutating func readAuthorizer(
        named name: String, in scheme: OrderedDictionary<String, DocValue>, at pointer: String
    ) -> Authorizer? {
        guard let value = scheme["x-amazon-apigateway-authorizer"] else { return nil }
        let authorizerPointer = JSONPointer.append(pointer, "x-amazon-apigateway-authorizer")
        guard let settings = value.objectValue else {
            error("x-amazon-apigateway-authorizer must be an object, not \(value.typeName)", at: authorizerPointer)
            return nil
        }
        let typeText = string(settings, "type", at: authorizerPointer) ?? "token"
        guard let type = AuthorizerType(rawValue: typeText.uppercased()) else {
            error(
                "Invalid authorizer type '\(typeText)': use token, request or cognito_user_pools",
                at: JSONPointer.append(authorizerPointer, "type"))
            return nil
        }
        // A token or user pool authorizer without an identity source reads the header its scheme names.
        var identitySource = string(settings, "identitySource", at: authorizerPointer)
        if identitySource == nil, type != .request, scheme["in"]?.stringValue == "header",
            let header = scheme["name"]?.stringValue
        {
            identitySource = "method.request.header.\(header)"
        }
        let authorizer = Authorizer(
            id: name, name: name, type: type,
            providerARNs: settings["providerARNs"]?.arrayValue?.compactMap(\.stringValue),
            authType: scheme["x-amazon-apigateway-authtype"]?.stringValue,
            authorizerUri: string(settings, "authorizerUri", at: authorizerPointer),
            authorizerCredentials: string(settings, "authorizerCredentials", at: authorizerPointer),
            identitySource: identitySource,
            identityValidationExpression: string(settings, "identityValidationExpression", at: authorizerPointer),
            authorizerResultTtlInSeconds: settings["authorizerResultTtlInSeconds"]?.intValue)
        if let problem = authorizer.problem {
            error("The authorizer '\(name)': \(problem)", at: authorizerPointer)
            return nil
        }
        return authorizer
    }

    /// The document's base path, as the basepath option reads it.
    mutating func documentBasePath() -> String? {
        if version == .swagger2 { return members["basePath"]?.stringValue }
        guard let server = members["servers"]?.arrayValue?.first?.objectValue else { return nil }
        if let variable = server["variables"]?["basePath"]?["default"]?.stringValue { return variable }
        guard let url = server["url"]?.stringValue else { return nil }
        var path = url
        if let scheme = url.range(of: "://") {
            let afterScheme = url[scheme.upperBound...]
            path = afterScheme.firstIndex(of: "/").map { String(afterScheme[$0...]) } ?? "/"
        }
        return path.contains("{") ? nil : path
    }

    /// The segments the basepath option puts in front of every resource path (none when it puts none).
    mutating func basePathSegments() -> [String] {
        guard options.basePath != .ignore, let basePath = documentBasePath() else { return [] }
        let segments = PathRules.segments(basePath)
        return options.basePath == .split ? Array(segments.dropFirst()) : segments
    }

    /// The resource path a document path becomes, as API Gateway names it in its warnings.
    mutating func resourcePath(of path: String) -> String {
        let segments = basePathSegments()
        guard !segments.isEmpty else { return path }
        let prefix = "/" + segments.joined(separator: "/")
        return path == "/" ? prefix : prefix + path
    }

    /// Resource paths moved under the base path when the option asks for it, with the new ancestors added.
    mutating func applyBasePath(to paths: [String: [String: ImportedMethod]]) -> [String: [String: ImportedMethod]] {
        let segments = basePathSegments()
        guard !segments.isEmpty, let basePath = documentBasePath() else { return paths }
        let prefix = "/" + segments.joined(separator: "/")
        if let problem = PathRules.problem(inPath: prefix) {
            error(
                "The base path '\(basePath)' cannot be a resource path: \(problem)",
                at: version == .swagger2 ? "/basePath" : "/servers/0")
            return paths
        }
        var moved: [String: [String: ImportedMethod]] = [:]
        for (path, methods) in paths {
            moved[path == "/" ? prefix : prefix + path] = methods
        }
        var ancestor = ""
        for segment in segments {
            ancestor += "/" + segment
            if moved[ancestor] == nil { moved[ancestor] = [:] }
        }
        moved["/"] = moved["/"] ?? [:]
        return moved
    }

    mutating func readApiKeySource() -> ApiKeySource? {
        guard let text = string(members, "x-amazon-apigateway-api-key-source", at: "") else { return nil }
        guard let source = ApiKeySource(rawValue: text.uppercased()) else {
            error(
                "Invalid API key source '\(text)': must be HEADER or AUTHORIZER",
                at: "/x-amazon-apigateway-api-key-source")
            return nil
        }
        return source
    }

    mutating func readBinaryMediaTypes() -> [String] {
        guard let items = array(members, "x-amazon-apigateway-binary-media-types", at: "") else { return [] }
        return items.enumerated().compactMap { index, item in
            guard let text = item.stringValue else {
                error(
                    "A binary media type must be a string, not \(item.typeName)",
                    at: "/x-amazon-apigateway-binary-media-types/\(index)")
                return nil
            }
            return text
        }
    }

    mutating func readMinimumCompressionSize() -> Int? {
        guard let value = members["x-amazon-apigateway-minimum-compression-size"] else { return nil }
        guard let size = value.intValue, (0...10_485_760).contains(size) else {
            error(
                "The minimum compression size must be a whole number from 0 to 10485760",
                at: "/x-amazon-apigateway-minimum-compression-size")
            return nil
        }
        return size
    }

    mutating func readEndpointConfiguration() -> (EndpointConfiguration?, Bool?) {
        let pointer = "/x-amazon-apigateway-endpoint-configuration"
        guard let configuration = object(members, "x-amazon-apigateway-endpoint-configuration", at: "") else {
            return (nil, nil)
        }
        var types: [EndpointType] = []
        for (index, item) in (array(configuration, "types", at: pointer) ?? []).enumerated() {
            guard let text = item.stringValue, let type = EndpointType(rawValue: text.uppercased()) else {
                error("Invalid endpoint type: must be EDGE, REGIONAL or PRIVATE", at: "\(pointer)/types/\(index)")
                continue
            }
            types.append(type)
        }
        let endpoints = array(configuration, "vpcEndpointIds", at: pointer)?.compactMap(\.stringValue)
        let disable = bool(configuration, "disableExecuteApiEndpoint", at: pointer)
        let result =
            types.isEmpty && endpoints == nil
            ? nil : EndpointConfiguration(types: types.isEmpty ? [.edge] : types, vpcEndpointIds: endpoints)
        return (result, disable)
    }

    mutating func readPolicy() -> String? {
        guard let policy = members["x-amazon-apigateway-policy"] else { return nil }
        switch policy {
        case .string(let text): return text
        case .object: return DocumentWriter.json(policy, pretty: false)
        default:
            error("The policy must be an object, not \(policy.typeName)", at: "/x-amazon-apigateway-policy")
            return nil
        }
    }

    mutating func readGatewayResponses() -> [GatewayResponse] {
        let pointer = "/x-amazon-apigateway-gateway-responses"
        guard let responses = object(members, "x-amazon-apigateway-gateway-responses", at: "") else { return [] }
        var result: [GatewayResponse] = []
        for (type, value) in responses {
            let responsePointer = JSONPointer.append(pointer, type)
            guard GatewayResponse.types.contains(type) else {
                error("Invalid gateway response type '\(type)'", at: responsePointer)
                continue
            }
            guard let settings = value.objectValue else {
                error("A gateway response must be an object, not \(value.typeName)", at: responsePointer)
                continue
            }
            let status = member(settings, "statusCode", at: responsePointer, as: "a status code") { $0.scalarText }
            if let status, !OpenAPIImporter.isStatusCode(status) {
                error(
                    "Invalid status code '\(status)': must be three digits from 100 to 599",
                    at: JSONPointer.append(responsePointer, "statusCode"))
            }
            result.append(
                GatewayResponse(
                    responseType: type, statusCode: status,
                    responseParameters: stringMap(settings, "responseParameters", at: responsePointer),
                    responseTemplates: stringMap(settings, "responseTemplates", at: responsePointer)))
        }
        return result
    }

    static func isStatusCode(_ text: String) -> Bool {
        text.count == 3 && text.allSatisfy(\.isNumber) && (100...599).contains(Int(text) ?? 0)
    }
}
