import Foundation
import GatewayModel
import GatewayStore

extension GatewayControl {
    /// The resources of an API, by path.
    public nonisolated func resources(api: String) throws -> [Resource] {
        try read { access in
            _ = try requireApi(api, access)
            return try access.all(Resource.self, in: .resource, api: api)
        }.sorted { $0.path < $1.path }
    }

    /// One resource.
    public nonisolated func resource(api: String, id: String) throws -> Resource {
        try read { try requireResource(id, api: api, $0) }
    }

    /// Creates a child resource under `parentId`.
    public func createResource(api: String, parentId: String, pathPart: String) throws -> Resource {
        let resource = try write { access in
            let parent = try requireResource(parentId, api: api, access)
            guard PathRules.isValidPathPart(pathPart) else {
                throw GatewayError.badRequest(PathRules.invalidPathPartMessage)
            }
            if parent.isGreedy {
                throw GatewayError.badRequest(
                    "Cannot create a child of a resource with a greedy path variable: \(parent.pathPart ?? "")")
            }
            let siblings = try access.all(Resource.self, in: .resource, api: api).filter { $0.parentId == parentId }
            if siblings.contains(where: { $0.pathPart == pathPart }) {
                throw GatewayError.conflict("Another resource with the same parent already has this name: \(pathPart)")
            }
            if PathRules.variableName(pathPart) != nil,
                let sibling = siblings.first(where: { PathRules.variableName($0.pathPart ?? "") != nil })
            {
                throw GatewayError.badRequest(
                    "A sibling (\(sibling.pathPart ?? "")) of this resource already has a variable path part -- only one is allowed"
                )
            }
            let path = parent.path == "/" ? "/" + pathPart : parent.path + "/" + pathPart
            if let problem = PathRules.problem(inPath: path) { throw GatewayError.badRequest(problem) }
            let resource = Resource(id: Identifiers.resource(), parentId: parentId, pathPart: pathPart, path: path)
            try access.save(resource, in: .resource, id: resource.id, api: api)
            return resource
        }
        emit(.resource, .created, id: resource.id, api: api)
        return resource
    }

    /// Creates every missing resource along `path` and returns the last one.
    public func ensureResource(api: String, path: String) throws -> Resource {
        if let problem = PathRules.problem(inPath: path) { throw GatewayError.badRequest(problem) }
        var current = try resources(api: api).first { $0.path == "/" }!
        for part in PathRules.segments(path) {
            let children = try resources(api: api).filter { $0.parentId == current.id }
            current =
                try children.first { $0.pathPart == part }
                ?? createResource(api: api, parentId: current.id, pathPart: part)
        }
        return current
    }

    /// Renames a resource's path part; the paths of everything below it follow.
    public func updateResource(api: String, id: String, pathPart: String) throws -> Resource {
        try updateResource(api: api, id: id, pathPart: pathPart, parentId: nil)
    }

    /// Renames a resource (`pathPart`), moves it under another parent (`parentId`), or both; its descendants'
    /// paths follow. Checked as API Gateway checks a new resource there, and a move may not make a cycle.
    public func updateResource(api: String, id: String, pathPart newPart: String?, parentId newParent: String?) throws
        -> Resource
    {
        let updated = try write { access in
            let resource = try requireResource(id, api: api, access)
            guard let currentParent = resource.parentId else {
                throw GatewayError.badRequest("The root resource cannot be renamed or moved")
            }
            let pathPart = newPart ?? resource.pathPart ?? ""
            let parentId = newParent ?? currentParent
            guard PathRules.isValidPathPart(pathPart) else {
                throw GatewayError.badRequest(PathRules.invalidPathPartMessage)
            }
            let parent = try requireResource(parentId, api: api, access)
            let all = try access.all(Resource.self, in: .resource, api: api)
            if parent.id == id || parent.path.hasPrefix(resource.path + "/") {
                throw GatewayError.badRequest("Resources cannot be cyclical.")
            }
            if parent.isGreedy {
                throw GatewayError.badRequest(
                    "Cannot create a child of a resource with a greedy path variable: \(parent.pathPart ?? "")")
            }
            let siblings = all.filter { $0.parentId == parentId && $0.id != id }
            if siblings.contains(where: { $0.pathPart == pathPart }) {
                throw GatewayError.conflict("Another resource with the same parent already has this name: \(pathPart)")
            }
            if PathRules.variableName(pathPart) != nil,
                let sibling = siblings.first(where: { PathRules.variableName($0.pathPart ?? "") != nil })
            {
                throw GatewayError.badRequest(
                    "A sibling (\(sibling.pathPart ?? "")) of this resource already has a variable path part -- only one is allowed"
                )
            }
            if PathRules.isGreedy(pathPart), all.contains(where: { $0.parentId == id }) {
                throw GatewayError.badRequest("A resource with children cannot become a greedy path variable")
            }
            let newPath = parent.path == "/" ? "/" + pathPart : parent.path + "/" + pathPart
            if let problem = PathRules.problem(inPath: newPath) { throw GatewayError.badRequest(problem) }
            let oldPath = resource.path
            var result = resource
            for var item in all where item.id == id || item.path.hasPrefix(oldPath + "/") {
                item.path = newPath + item.path.dropFirst(oldPath.count)
                if item.id == id {
                    item.pathPart = pathPart
                    item.parentId = parentId
                    result = item
                }
                try access.save(item, in: .resource, id: item.id, api: api)
            }
            return result
        }
        emit(.resource, .updated, id: id, api: api)
        return updated
    }

    /// Deletes a resource and everything below it.
    public func deleteResource(api: String, id: String) throws {
        try write { access in
            let resource = try requireResource(id, api: api, access)
            guard resource.parentId != nil else { throw GatewayError.badRequest("The root resource cannot be deleted") }
            let all = try access.all(Resource.self, in: .resource, api: api)
            var doomed: Set<String> = [id]
            var grew = true
            while grew {
                grew = false
                for candidate in all
                where !doomed.contains(candidate.id) && candidate.parentId.map(doomed.contains) == true {
                    doomed.insert(candidate.id)
                    grew = true
                }
            }
            for doomedId in doomed { try access.delete(from: .resource, id: doomedId, api: api) }
        }
        emit(.resource, .deleted, id: id, api: api)
    }

    // MARK: Methods

    /// Reads, changes and saves one resource in a transaction.
    func changeResource<T>(api: String, id: String, _ body: (inout Resource, StoreAccess) throws -> T) throws -> T {
        try write { access in
            var resource = try requireResource(id, api: api, access)
            let result = try body(&resource, access)
            try access.save(resource, in: .resource, id: id, api: api)
            return result
        }
    }

    /// Adds a method to a resource (`PutMethod`).
    public func putMethod(
        api: String, resource: String, httpMethod: String, authorizationType: AuthorizationType = .none,
        apiKeyRequired: Bool = false, operationName: String? = nil, requestParameters: [String: Bool] = [:],
        requestModels: [String: String] = [:], authorizerId: String? = nil, requestValidatorId: String? = nil,
        authorizationScopes: [String]? = nil
    ) throws -> Method {
        let verb = httpMethod.uppercased()
        try requireMethodResource(resource, api: api)
        guard HTTPVerb.isValid(verb) else {
            throw GatewayError.badRequest(
                "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY")
        }
        let method = try changeResource(api: api, id: resource) { resource, access in
            if resource.resourceMethods[verb] != nil {
                throw GatewayError.conflict("Method already exists for this resource")
            }
            var method = Method(
                httpMethod: verb, authorizationType: authorizationType, apiKeyRequired: apiKeyRequired,
                operationName: operationName, requestParameters: requestParameters, requestModels: requestModels)
            method.authorizerId = authorizerId
            method.requestValidatorId = requestValidatorId
            method.authorizationScopes = authorizationScopes.flatMap { $0.isEmpty ? nil : $0 }
            try validate(method, api: api, access)
            resource.resourceMethods[verb] = method
            return method
        }
        emit(.method, .created, id: "\(resource)/\(verb)", api: api)
        return method
    }

    /// One method of a resource.
    public nonisolated func method(api: String, resource: String, httpMethod: String) throws -> Method {
        try read { access in try requireMethod(httpMethod, in: try requireResource(resource, api: api, access)) }
    }

    /// Changes a method (`UpdateMethod`); its HTTP method stays.
    public func updateMethod(
        api: String, resource: String, httpMethod: String, _ change: @Sendable (inout Method) throws -> Void
    )
        throws -> Method
    {
        let verb = httpMethod.uppercased()
        try requireMethodResource(resource, api: api)
        let method = try changeResource(api: api, id: resource) { resource, access in
            var method = try requireMethod(verb, in: resource)
            try change(&method)
            method.httpMethod = verb
            try validate(method, api: api, access)
            resource.resourceMethods[verb] = method
            return method
        }
        emit(.method, .updated, id: "\(resource)/\(verb)", api: api)
        return method
    }

    /// Removes a method from a resource.
    public func deleteMethod(api: String, resource: String, httpMethod: String) throws {
        let verb = httpMethod.uppercased()
        try changeResource(api: api, id: resource) { resource, _ in
            _ = try requireMethod(verb, in: resource)
            resource.resourceMethods[verb] = nil
        }
        emit(.method, .deleted, id: "\(resource)/\(verb)", api: api)
    }

    /// A method's resource, named as AWS names it when the API itself is unknown too.
    public nonisolated func requireMethodResource(_ id: String, api: String) throws {
        try read { access in
            guard try access.one(RestApi.self, in: .restApi, id: api) != nil,
                try access.one(Resource.self, in: .resource, id: id, api: api) != nil
            else { throw GatewayError.notFound("Invalid Resource identifier specified") }
        }
    }

    nonisolated func validate(_ method: Method, api: String, _ access: StoreAccess) throws {
        var names: Set<String> = []
        for key in method.requestParameters.keys.sorted() {
            guard let (_, name) = ParameterLocation.parse(methodRequestKey: key) else {
                throw GatewayError.badRequest(
                    "Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: \(key)]"
                )
            }
            guard names.insert(name).inserted else {
                throw GatewayError.badRequest("Parameter names must be unique across querystring, header and path")
            }
        }
        let models = Set(try access.all(Model.self, in: .model, api: api).map(\.name))
        for model in method.requestModels.values where !models.contains(model) {
            throw GatewayError.badRequest("Invalid model identifier specified: \(model)")
        }
        for response in method.methodResponses.values {
            for model in response.responseModels.values where !models.contains(model) {
                throw GatewayError.badRequest("Invalid model identifier specified: \(model)")
            }
        }
        switch method.authorizationType {
        case .custom, .cognitoUserPools:
            guard let id = method.authorizerId,
                let authorizer = try access.one(Authorizer.self, in: .authorizer, id: id, api: api)
            else {
                throw GatewayError.badRequest(
                    "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer."
                )
            }
            if (authorizer.type == .cognitoUserPools) != (method.authorizationType == .cognitoUserPools) {
                throw GatewayError.badRequest(
                    "Authorizer \(id) is of type \(authorizer.type.rawValue), which does not fit authorization type \(method.authorizationType.rawValue)"
                )
            }
        case .none, .awsIam:
            break
        }
        if let validator = method.requestValidatorId,
            try access.one(RequestValidator.self, in: .requestValidator, id: validator, api: api) == nil
        {
            throw GatewayError.badRequest("Invalid Request Validator identifier specified")
        }
        if let integration = method.methodIntegration { try validate(integration, access) }
    }

    // MARK: Method responses

    /// Adds or replaces a method response.
    public func putMethodResponse(
        api: String, resource: String, httpMethod: String, statusCode: String,
        responseParameters: [String: Bool] = [:], responseModels: [String: String] = [:], shownWhenEmpty: [String] = []
    ) throws -> MethodResponse {
        guard statusCode.count == 3, let code = Int(statusCode), (100...599).contains(code) else {
            throw GatewayError.badRequest("Invalid status code '\(statusCode)': must be three digits from 100 to 599")
        }
        var shaped = MethodResponse(
            statusCode: statusCode, responseParameters: responseParameters, responseModels: responseModels)
        shaped.shownWhenEmpty = shownWhenEmpty.isEmpty ? nil : shownWhenEmpty
        let response = shaped
        _ = try updateMethod(api: api, resource: resource, httpMethod: httpMethod) {
            $0.methodResponses[statusCode] = response
        }
        return response
    }

    /// Removes a method response.
    public func deleteMethodResponse(api: String, resource: String, httpMethod: String, statusCode: String) throws {
        _ = try updateMethod(api: api, resource: resource, httpMethod: httpMethod) { method in
            guard method.methodResponses.removeValue(forKey: statusCode) != nil else {
                throw GatewayError.notFound("Invalid Response status code specified")
            }
        }
    }

    // MARK: Integrations

    /// Sets a method's integration (`PutIntegration`). The cache namespace defaults to the resource id.
    public func putIntegration(api: String, resource: String, httpMethod: String, integration: Integration) throws
        -> Integration
    {
        var integration = integration
        if integration.cacheNamespace == nil { integration.cacheNamespace = resource }
        if let method = integration.httpMethod { integration.httpMethod = method.uppercased() }
        let stored = integration
        _ = try updateMethod(api: api, resource: resource, httpMethod: httpMethod) { method in
            var merged = stored
            // A new integration keeps the integration responses already set up, as PutIntegration does.
            if merged.integrationResponses.isEmpty, let old = method.methodIntegration {
                merged.integrationResponses = old.integrationResponses
            }
            method.methodIntegration = merged
        }
        emit(.integration, .updated, id: "\(resource)/\(httpMethod.uppercased())", api: api)
        return try self.method(api: api, resource: resource, httpMethod: httpMethod).methodIntegration!
    }

    /// Changes a method's integration.
    public func updateIntegration(
        api: String, resource: String, httpMethod: String, _ change: @Sendable (inout Integration) throws -> Void
    ) throws -> Integration {
        let method = try updateMethod(api: api, resource: resource, httpMethod: httpMethod) { method in
            guard var integration = method.methodIntegration else {
                throw GatewayError.notFound("Invalid Integration identifier specified")
            }
            try change(&integration)
            method.methodIntegration = integration
        }
        emit(.integration, .updated, id: "\(resource)/\(httpMethod.uppercased())", api: api)
        return method.methodIntegration!
    }

    /// Removes a method's integration.
    public func deleteIntegration(api: String, resource: String, httpMethod: String) throws {
        _ = try updateMethod(api: api, resource: resource, httpMethod: httpMethod) { method in
            guard method.methodIntegration != nil else {
                throw GatewayError.notFound("Invalid Integration identifier specified")
            }
            method.methodIntegration = nil
        }
        emit(.integration, .deleted, id: "\(resource)/\(httpMethod.uppercased())", api: api)
    }

    /// Adds or replaces an integration response.
    public func putIntegrationResponse(api: String, resource: String, httpMethod: String, response: IntegrationResponse)
        throws -> IntegrationResponse
    {
        guard response.statusCode.count == 3, Int(response.statusCode) != nil else {
            throw GatewayError.badRequest("Invalid status code '\(response.statusCode)': must be three digits")
        }
        if let pattern = response.selectionPattern, !pattern.isEmpty,
            (try? NSRegularExpression(pattern: pattern)) == nil
        {
            throw GatewayError.badRequest("Invalid selection pattern '\(pattern)': not a regular expression")
        }
        _ = try updateIntegration(api: api, resource: resource, httpMethod: httpMethod) { integration in
            if (response.selectionPattern ?? "").isEmpty,
                let other = integration.integrationResponses.values.first(where: {
                    ($0.selectionPattern ?? "").isEmpty && $0.statusCode != response.statusCode
                })
            {
                throw GatewayError.badRequest(
                    "Only one default integration response is allowed; \(other.statusCode) is already the default (give one a selection pattern)"
                )
            }
            integration.integrationResponses[response.statusCode] = response
        }
        return response
    }

    /// Removes an integration response.
    public func deleteIntegrationResponse(api: String, resource: String, httpMethod: String, statusCode: String) throws
    {
        _ = try updateIntegration(api: api, resource: resource, httpMethod: httpMethod) { integration in
            guard integration.integrationResponses.removeValue(forKey: statusCode) != nil else {
                throw GatewayError.notFound("Invalid Response status code specified")
            }
        }
    }

    nonisolated func validate(_ integration: Integration, _ access: StoreAccess) throws {
        // arn:aws:iam::ACCOUNT:role/NAME — a role of another account cannot be passed.
        if let role = integration.credentials, role.hasPrefix("arn:") {
            let account = role.split(separator: ":", omittingEmptySubsequences: false).dropFirst(4).first ?? ""
            if !account.isEmpty && account != Region.accountId {
                throw GatewayError(.accessDenied, "Cross-account pass role is not allowed.")
            }
        }
        guard Integration.timeoutRange.contains(integration.timeoutInMillis) else {
            throw GatewayError.badRequest("Timeout should be between 50 ms and 29000 ms")
        }
        let templates =
            integration.requestTemplates.map { ("request", $0.key, $0.value) }
            + integration.integrationResponses.values.flatMap { response in
                response.responseTemplates.map { ("integration response \(response.statusCode)", $0.key, $0.value) }
            }
        for (place, contentType, template) in templates where template.utf8.count > Integration.maximumTemplateSize {
            throw GatewayError.badRequest(
                "The \(place) mapping template for \(contentType) is \(template.utf8.count) bytes; at most \(Integration.maximumTemplateSize / 1024) KB are allowed"
            )
        }
        if let method = integration.httpMethod, !HTTPVerb.isValid(method) {
            throw GatewayError.badRequest("Invalid integration HTTP method '\(method)'")
        }
        switch integration.type {
        case .http, .httpProxy:
            guard integration.httpMethod != nil else {
                throw GatewayError.badRequest("Enumeration value for HttpMethod must be non-empty")
            }
            guard let uri = integration.uri,
                let url = URL(
                    string: uri.replacingOccurrences(of: "${", with: "%7B")
                        .replacingOccurrences(of: "{", with: "%7B").replacingOccurrences(of: "}", with: "%7D")),
                let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                url.host != nil || uri.contains("${stageVariables.")
            else {
                throw GatewayError.badRequest("Invalid HTTP endpoint specified for URI")
            }
        case .aws, .awsProxy:
            guard integration.httpMethod != nil else {
                throw GatewayError.badRequest("Enumeration value for HttpMethod must be non-empty")
            }
            guard let uri = integration.uri, uri.hasPrefix("arn:") else {
                throw GatewayError.badRequest("Invalid ARN specified in the request")
            }
            let parts = uri.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
            let s3 = parts.count > 4 && parts[2] == "apigateway" && parts[4] == "s3"
            if integration.type == .awsProxy && s3 {
                throw GatewayError.badRequest(
                    "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations."
                )
            }
            if integration.type == .aws && s3 && integration.credentials == nil {
                throw GatewayError.badRequest("Role ARN must be specified for AWS integrations")
            }
            guard parts.count == 6, parts[2] == "apigateway",
                parts[5].hasPrefix("path/") || parts[5].hasPrefix("action/")
            else {
                throw GatewayError.badRequest("AWS ARN for integration must contain path or action")
            }
        case .mock:
            break
        }
        if integration.connectionType == .vpcLink {
            guard let connection = integration.connectionId, !connection.isEmpty else {
                throw GatewayError.badRequest("ConnectionId must be set for a VPC_LINK integration")
            }
            if !connection.contains("${"), try access.one(VpcLink.self, in: .vpcLink, id: connection) == nil {
                throw GatewayError.badRequest("Invalid VPC link identifier specified: \(connection)")
            }
        } else if integration.connectionId != nil {
            throw GatewayError.badRequest("ConnectionId is only allowed for connectionType VPC_LINK")
        }
        for (key, _) in integration.integrationResponses {
            if key.count != 3 || Int(key) == nil { throw GatewayError.badRequest("Invalid status code '\(key)'") }
        }
    }
}
