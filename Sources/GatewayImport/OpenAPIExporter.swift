import Foundation
import GatewayModel
import OrderedCollections

/// The formats an API exports to, named as `GetExport` names them.
public enum ExportFormat: String, Sendable, CaseIterable {
    case swagger2 = "swagger"
    case oas30 = "oas30"
}

/// Writes an API as Swagger 2.0 or OpenAPI 3.0 with the `x-amazon-apigateway-*` extensions, such that importing
/// the result gives the same API back.
public struct OpenAPIExporter {
    let definition: ApiDefinition
    let format: ExportFormat
    let stageName: String?
    let region: String
    let extensions: Bool
    /// The documentation version to write as `x-amazon-apigateway-documentation`, if any.
    var documentation: DocumentationVersion? = nil

    /// The export of `definition` as a document tree.
    public static func document(
        _ definition: ApiDefinition, format: ExportFormat, stageName: String? = nil, region: String = Region.default,
        extensions: Bool = true, documentation: DocumentationVersion? = nil
    ) -> DocValue {
        OpenAPIExporter(
            definition: definition, format: format, stageName: stageName, region: region, extensions: extensions,
            documentation: documentation
        )
        .build()
    }

    /// The export as JSON or YAML text.
    public static func render(
        _ definition: ApiDefinition, format: ExportFormat, yaml: Bool, stageName: String? = nil,
        region: String = Region.default, extensions: Bool = true, documentation: DocumentationVersion? = nil
    ) throws -> String {
        let tree = document(
            definition, format: format, stageName: stageName, region: region, extensions: extensions,
            documentation: documentation)
        return yaml ? try DocumentWriter.yaml(tree) : DocumentWriter.json(tree)
    }

    var isSwagger: Bool { format == .swagger2 }
    var api: RestApi { definition.api }

    func build() -> DocValue {
        var root = OrderedDictionary<String, DocValue>()
        var info: OrderedDictionary<String, DocValue> = [:]
        if let description = api.description { info["description"] = .string(description) }
        info["version"] = .string(OpenAPIExporter.version(of: api))
        info["title"] = .string(api.name)
        let host = "\(api.id).execute-api.\(region).amazonaws.com"
        let basePath = "/" + (stageName ?? "")
        if isSwagger {
            root["swagger"] = "2.0"
            root["info"] = .object(info)
            root["host"] = .string(host)
            root["basePath"] = .string(basePath)
            root["schemes"] = ["https"]
        } else {
            root["openapi"] = "3.0.1"
            root["info"] = .object(info)
            root["servers"] = [
                [
                    "url": .string("https://\(host)/{basePath}"),
                    // The variable is the stage's name, without the slash the URL already has (as AWS exports it).
                    "variables": ["basePath": ["default": .string(stageName ?? "")]],
                ]
            ]
        }
        root["paths"] = .object(paths())
        var schemes = OrderedDictionary<String, DocValue>()
        let methods = definition.resources.flatMap(\.resourceMethods.values)
        if methods.contains(where: \.apiKeyRequired) {
            schemes["api_key"] = ["type": "apiKey", "name": "x-api-key", "in": "header"]
        }
        if methods.contains(where: { $0.authorizationType == .awsIam }) {
            schemes["sigv4"] = [
                "type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4",
            ]
        }
        for authorizer in definition.authorizers.sorted(by: { $0.name < $1.name }) {
            schemes[authorizer.name] = securityScheme(for: authorizer)
        }
        let models = modelSchemas()
        if isSwagger {
            if !schemes.isEmpty { root["securityDefinitions"] = .object(schemes) }
            if !models.isEmpty { root["definitions"] = .object(models) }
        } else {
            var components = OrderedDictionary<String, DocValue>()
            if !models.isEmpty { components["schemas"] = .object(models) }
            if !schemes.isEmpty { components["securitySchemes"] = .object(schemes) }
            // AWS's OpenAPI 3 exports always have `components`, empty when the API has no models.
            root["components"] = .object(components)
        }
        if extensions { addApiExtensions(to: &root) }
        if let documentation { root["x-amazon-apigateway-documentation"] = Self.documentation(documentation) }
        return .object(root)
    }

    /// An authorizer as API Gateway exports it: an `apiKey` scheme on its identity header, with
    /// `x-amazon-apigateway-authtype` and (with extensions) `x-amazon-apigateway-authorizer`.
    func securityScheme(for authorizer: Authorizer) -> DocValue {
        var scheme: OrderedDictionary<String, DocValue> = [
            "type": "apiKey", "name": .string(authorizer.identityHeaders.first ?? "Authorization"), "in": "header",
        ]
        let authType = authorizer.authType ?? (authorizer.type == .cognitoUserPools ? "cognito_user_pools" : "custom")
        scheme["x-amazon-apigateway-authtype"] = .string(authType)
        guard extensions else { return .object(scheme) }
        var settings: OrderedDictionary<String, DocValue> = ["type": .string(authorizer.type.rawValue.lowercased())]
        if let uri = authorizer.authorizerUri { settings["authorizerUri"] = .string(uri) }
        if let credentials = authorizer.authorizerCredentials {
            settings["authorizerCredentials"] = .string(credentials)
        }
        if let source = authorizer.identitySource { settings["identitySource"] = .string(source) }
        if let expression = authorizer.identityValidationExpression {
            settings["identityValidationExpression"] = .string(expression)
        }
        if let ttl = authorizer.authorizerResultTtlInSeconds { settings["authorizerResultTtlInSeconds"] = .int(ttl) }
        if let arns = authorizer.providerARNs { settings["providerARNs"] = .array(arns.map(DocValue.string)) }
        scheme["x-amazon-apigateway-authorizer"] = .object(settings)
        return .object(scheme)
    }

    func addApiExtensions(to root: inout OrderedDictionary<String, DocValue>) {
        if api.apiKeySource != .header {
            root["x-amazon-apigateway-api-key-source"] = .string(api.apiKeySource.rawValue)
        }
        if !api.binaryMediaTypes.isEmpty {
            root["x-amazon-apigateway-binary-media-types"] = .array(api.binaryMediaTypes.map(DocValue.string))
        }
        if let size = api.minimumCompressionSize { root["x-amazon-apigateway-minimum-compression-size"] = .int(size) }
        if let policy = api.policy {
            let parsed = (try? DocumentParser(data: Data(policy.utf8)).parse()) ?? .string(policy)
            root["x-amazon-apigateway-policy"] = parsed
        }
        if !definition.gatewayResponses.isEmpty {
            var responses = OrderedDictionary<String, DocValue>()
            for response in definition.gatewayResponses.sorted(by: { $0.responseType < $1.responseType }) {
                var entry = OrderedDictionary<String, DocValue>()
                if let status = response.statusCode { entry["statusCode"] = .string(status) }
                if !response.responseParameters.isEmpty {
                    entry["responseParameters"] = Self.map(response.responseParameters)
                }
                if !response.responseTemplates.isEmpty {
                    entry["responseTemplates"] = Self.map(response.responseTemplates)
                }
                responses[response.responseType] = .object(entry)
            }
            root["x-amazon-apigateway-gateway-responses"] = .object(responses)
        }
        if !definition.requestValidators.isEmpty {
            var validators = OrderedDictionary<String, DocValue>()
            for validator in definition.requestValidators.sorted(by: { $0.name < $1.name }) {
                validators[validator.name] = [
                    "validateRequestBody": .bool(validator.validateRequestBody),
                    "validateRequestParameters": .bool(validator.validateRequestParameters),
                ]
            }
            root["x-amazon-apigateway-request-validators"] = .object(validators)
        }
    }

    /// A documentation version as `x-amazon-apigateway-documentation`, which the importer reads back.
    static func documentation(_ version: DocumentationVersion) -> DocValue {
        let parts = version.parts.map { part -> DocValue in
            var location: OrderedDictionary<String, DocValue> = ["type": .string(part.location.type.rawValue)]
            if let path = part.location.path { location["path"] = .string(path) }
            if let method = part.location.method { location["method"] = .string(method) }
            if let statusCode = part.location.statusCode { location["statusCode"] = .string(statusCode) }
            if let name = part.location.name { location["name"] = .string(name) }
            let properties = (try? DocumentParser(data: Data(part.properties.utf8)).parse()) ?? [:]
            return ["location": .object(location), "properties": properties]
        }
        return [
            "version": .string(version.version), "createdDate": .string(timestamp(version.createdDate)),
            "documentationParts": .array(parts),
        ]
    }

    // MARK: Paths

    func paths() -> OrderedDictionary<String, DocValue> {
        let resources = definition.sortedResources
        let parents = Set(resources.compactMap(\.parentId))
        var paths = OrderedDictionary<String, DocValue>()
        for resource in resources {
            if resource.resourceMethods.isEmpty {
                // A leaf without methods still exists in the API: keep it as an empty path item.
                if resource.parentId != nil && !parents.contains(resource.id) { paths[resource.path] = [:] }
                continue
            }
            var item = OrderedDictionary<String, DocValue>()
            for method in resource.sortedMethods {
                let key = method.httpMethod == "ANY" ? "x-amazon-apigateway-any-method" : method.httpMethod.lowercased()
                item[key] = .object(operation(method, resource: resource))
            }
            paths[resource.path] = .object(item)
        }
        return paths
    }

    func operation(_ method: Method, resource: Resource) -> OrderedDictionary<String, DocValue> {
        var operation = OrderedDictionary<String, DocValue>()
        if let name = method.operationName { operation["operationId"] = .string(name) }
        let requestModel = method.requestModels.sorted { OpenAPIExporter.jsonFirst($0.key, $1.key) }
        if isSwagger {
            // As AWS exports them: what the method's models and its integration's templates are for.
            let integration = method.methodIntegration
            let templates = integration.map { Array($0.requestTemplates.keys) } ?? []
            let responseTemplates = integration?.integrationResponses.values.flatMap(\.responseTemplates.keys) ?? []
            let consumes = OpenAPIExporter.mediaTypes(method.requestModels.keys, templates)
            let produces = OpenAPIExporter.mediaTypes(
                method.methodResponses.values.flatMap(\.responseModels.keys), responseTemplates)
            if !consumes.isEmpty { operation["consumes"] = .array(consumes.map(DocValue.string)) }
            if !produces.isEmpty { operation["produces"] = .array(produces.map(DocValue.string)) }
        }
        var parameters: [DocValue] = []
        for location in ParameterLocation.allCases {
            let entries = method.requestParameters.compactMap { key, required -> (String, Bool)? in
                guard let (parsedLocation, name) = ParameterLocation.parse(methodRequestKey: key),
                    parsedLocation == location
                else { return nil }
                return (name, required)
            }.sorted { $0.0 < $1.0 }
            for (name, required) in entries {
                var parameter: OrderedDictionary<String, DocValue> = [
                    "name": .string(name), "in": .string(location == .querystring ? "query" : location.rawValue),
                ]
                // Swagger states `required` always; AWS's OpenAPI 3 exports only when it is true.
                if isSwagger || location == .path || required {
                    parameter["required"] = .bool(location == .path ? true : required)
                }
                if isSwagger { parameter["type"] = "string" } else { parameter["schema"] = ["type": "string"] }
                parameters.append(.object(parameter))
            }
        }
        if isSwagger, let (_, model) = requestModel.first {
            parameters.append(["in": "body", "name": .string(model), "required": true, "schema": reference(to: model)])
        }
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        if !isSwagger && !requestModel.isEmpty {
            var content = OrderedDictionary<String, DocValue>()
            for (contentType, model) in requestModel { content[contentType] = ["schema": reference(to: model)] }
            operation["requestBody"] = ["content": .object(content), "required": true]
        }
        operation["responses"] = .object(responses(method))
        var security: [DocValue] = []
        if method.apiKeyRequired { security.append(["api_key": []]) }
        if method.authorizationType == .awsIam { security.append(["sigv4": []]) }
        if method.authorizationType == .custom || method.authorizationType == .cognitoUserPools,
            let authorizer = definition.authorizers.first(where: { $0.id == method.authorizerId })
        {
            security.append(.object([authorizer.name: .array((method.authorizationScopes ?? []).map(DocValue.string))]))
        }
        if !security.isEmpty { operation["security"] = .array(security) }
        if extensions {
            if let integration = method.methodIntegration {
                operation["x-amazon-apigateway-integration"] = .object(
                    Self.integration(integration, resourceId: resource.id))
            }
            if let validatorId = method.requestValidatorId,
                let validator = definition.requestValidators.first(where: { $0.id == validatorId })
            {
                operation["x-amazon-apigateway-request-validator"] = .string(validator.name)
            }
        }
        return operation
    }

    func responses(_ method: Method) -> OrderedDictionary<String, DocValue> {
        var responses = OrderedDictionary<String, DocValue>()
        for (status, response) in method.methodResponses.sorted(by: { $0.key < $1.key }) {
            var entry: OrderedDictionary<String, DocValue> = ["description": .string("\(status) response")]
            let models = response.responseModels.sorted { $0.key < $1.key }
            if isSwagger, let (_, model) = models.first {
                entry["schema"] = reference(to: model)
            } else if !isSwagger {
                // An OpenAPI 3 response always has `content` in AWS's exports, empty without models.
                var content = OrderedDictionary<String, DocValue>()
                for (contentType, model) in models { content[contentType] = ["schema": reference(to: model)] }
                entry["content"] = .object(content)
            }
            let headers = response.responseParameters.keys.compactMap { key -> String? in
                key.hasPrefix("method.response.header.") ? String(key.dropFirst("method.response.header.".count)) : nil
            }.sorted()
            if !headers.isEmpty {
                var headerObjects = OrderedDictionary<String, DocValue>()
                for header in headers {
                    headerObjects[header] = isSwagger ? ["type": "string"] : ["schema": ["type": "string"]]
                }
                entry["headers"] = .object(headerObjects)
            }
            responses[status] = .object(entry)
        }
        return responses
    }

    /// The integration extension; a cache namespace equal to the resource's id is the default and is left out.
    static func integration(_ integration: Integration, resourceId: String) -> OrderedDictionary<String, DocValue> {
        var out = OrderedDictionary<String, DocValue>()
        out["type"] = .string(integration.type.rawValue.lowercased())
        if let method = integration.httpMethod { out["httpMethod"] = .string(method) }
        if let uri = integration.uri { out["uri"] = .string(uri) }
        if integration.connectionType != .internet {
            out["connectionType"] = .string(integration.connectionType.rawValue)
        }
        if let id = integration.connectionId { out["connectionId"] = .string(id) }
        if let credentials = integration.credentials { out["credentials"] = .string(credentials) }
        if !integration.requestParameters.isEmpty { out["requestParameters"] = map(integration.requestParameters) }
        if !integration.requestTemplates.isEmpty { out["requestTemplates"] = map(integration.requestTemplates) }
        if let passthrough = integration.passthroughBehavior {
            out["passthroughBehavior"] = .string(passthrough.rawValue.lowercased())
        }
        if let handling = integration.contentHandling { out["contentHandling"] = .string(handling.rawValue) }
        if integration.timeoutInMillis != Integration.defaultTimeout {
            out["timeoutInMillis"] = .int(integration.timeoutInMillis)
        }
        if let namespace = integration.cacheNamespace, namespace != resourceId {
            out["cacheNamespace"] = .string(namespace)
        }
        if !integration.cacheKeyParameters.isEmpty {
            out["cacheKeyParameters"] = .array(integration.cacheKeyParameters.map(DocValue.string))
        }
        if let tls = integration.tlsConfig {
            out["tlsConfig"] = ["insecureSkipVerification": .bool(tls.insecureSkipVerification)]
        }
        if !integration.integrationResponses.isEmpty {
            var responses = OrderedDictionary<String, DocValue>()
            for response in integration.integrationResponses.values.sorted(by: { $0.statusCode < $1.statusCode }) {
                var entry: OrderedDictionary<String, DocValue> = ["statusCode": .string(response.statusCode)]
                if !response.responseParameters.isEmpty {
                    entry["responseParameters"] = map(response.responseParameters)
                }
                if !response.responseTemplates.isEmpty { entry["responseTemplates"] = map(response.responseTemplates) }
                if let handling = response.contentHandling { entry["contentHandling"] = .string(handling.rawValue) }
                responses[response.selectionPattern ?? "default"] = .object(entry)
            }
            out["responses"] = .object(responses)
        }
        return out
    }

    // MARK: Models

    func reference(to model: String) -> DocValue {
        ["$ref": .string((isSwagger ? "#/definitions/" : "#/components/schemas/") + JSONPointer.escape(model))]
    }

    func modelSchemas() -> OrderedDictionary<String, DocValue> {
        var schemas = OrderedDictionary<String, DocValue>()
        for model in definition.models.sorted(by: { $0.name < $1.name }) {
            let parsed = model.schema.flatMap { try? DocumentParser(data: Data($0.utf8)).parse() } ?? [:]
            schemas[model.name] = localReferences(parsed)
        }
        return schemas
    }

    /// A stored schema with model URLs turned back into document references.
    func localReferences(_ value: DocValue) -> DocValue {
        switch value {
        case .object(var members):
            for (key, member) in members {
                if key == "$ref", let url = member.stringValue, let name = Model.name(fromReferenceURL: url) {
                    members[key] = reference(to: name)["$ref"]
                } else {
                    members[key] = localReferences(member)
                }
            }
            return .object(members)
        case .array(let items): return .array(items.map(localReferences))
        default: return value
        }
    }

    static func map(_ dictionary: [String: String]) -> DocValue {
        .object(
            OrderedDictionary(
                uniqueKeysWithValues: dictionary.sorted { $0.key < $1.key }.map { ($0.key, DocValue.string($0.value)) })
        )
    }

    /// Media types in export order: `application/json` first, the others by name.
    static func jsonFirst(_ lhs: String, _ rhs: String) -> Bool {
        (lhs == "application/json" ? "" : lhs) < (rhs == "application/json" ? "" : rhs)
    }

    /// Media types, once each, in export order.
    static func mediaTypes<A: Sequence<String>, B: Sequence<String>>(_ first: A, _ second: B) -> [String] {
        Set(first).union(second).sorted(by: jsonFirst)
    }

    /// The version an export's `info` names: the API's, else the date and time it was made.
    public static func version(of api: RestApi) -> String { api.version ?? timestamp(api.createdDate) }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
