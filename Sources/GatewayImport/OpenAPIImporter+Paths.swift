import GatewayModel
import OrderedCollections

extension OpenAPIImporter {
    static let operationKeys: [(key: String, method: String)] = [
        ("get", "GET"), ("put", "PUT"), ("post", "POST"), ("delete", "DELETE"), ("options", "OPTIONS"),
        ("head", "HEAD"), ("patch", "PATCH"), ("x-amazon-apigateway-any-method", "ANY"),
    ]
    static let pathItemFields: Set<String> = ["$ref", "summary", "description", "servers", "parameters", "trace"]

    /// Every resource path with its methods; ancestors of a path are added without methods.
    mutating func readPaths(
        schemes: [String: SecurityScheme], validators: [String: (body: Bool, parameters: Bool)],
        defaultValidator: String?
    ) -> [String: [String: ImportedMethod]] {
        guard let paths = object(members, "paths", at: "") else { return [:] }
        var result: [String: [String: ImportedMethod]] = [:]
        for (rawPath, value) in paths where !rawPath.hasPrefix("x-") {
            let pathPointer = JSONPointer.append("/paths", rawPath)
            let path = rawPath.count > 1 && rawPath.hasSuffix("/") ? String(rawPath.dropLast()) : rawPath
            if let problem = PathRules.problem(inPath: path) {
                error("Invalid resource path '\(rawPath)': \(problem)", at: pathPointer)
                continue
            }
            if result[path]?.isEmpty == false {
                error("The path '\(rawPath)' names the same resource as another path", at: pathPointer)
                continue
            }
            guard let (resolved, itemPointer) = resolve(value, at: pathPointer) else { continue }
            guard let item = resolved.objectValue else {
                error("A path item must be an object, not \(resolved.typeName)", at: itemPointer)
                continue
            }
            let sharedParameters = readParameterList(item, at: itemPointer)
            var methods: [String: ImportedMethod] = [:]
            for (key, operation) in item {
                let operationPointer = JSONPointer.append(itemPointer, key)
                if let httpMethod = OpenAPIImporter.operationKeys.first(where: { $0.key == key })?.method {
                    guard let operationObject = operation.objectValue else {
                        error("An operation must be an object, not \(operation.typeName)", at: operationPointer)
                        continue
                    }
                    methods[httpMethod] = readOperation(
                        operationObject, httpMethod: httpMethod, path: path, at: operationPointer,
                        shared: sharedParameters, schemes: schemes, validators: validators,
                        defaultValidator: defaultValidator)
                } else if key == "trace" {
                    warn("TRACE is not a method API Gateway supports; the operation is skipped", at: operationPointer)
                } else if !key.hasPrefix("x-") && !OpenAPIImporter.pathItemFields.contains(key) {
                    warn("Unknown field '\(key)' in a path item is ignored", at: operationPointer)
                }
            }
            result[path] = methods
            var ancestor = ""
            for segment in PathRules.segments(path).dropLast() {
                ancestor += "/" + segment
                if result[ancestor] == nil { result[ancestor] = [:] }
            }
        }
        if !result.isEmpty && result["/"] == nil { result["/"] = [:] }
        return result
    }

    /// A parameter list resolved, as (location, name) → parameter object with its pointer.
    mutating func readParameterList(_ owner: OrderedDictionary<String, DocValue>, at pointer: String)
        -> OrderedDictionary<String, (OrderedDictionary<String, DocValue>, String)>
    {
        var result = OrderedDictionary<String, (OrderedDictionary<String, DocValue>, String)>()
        guard let list = array(owner, "parameters", at: pointer) else { return result }
        for (index, entry) in list.enumerated() {
            let entryPointer = "\(pointer)/parameters/\(index)"
            guard let (resolved, resolvedPointer) = resolve(entry, at: entryPointer) else { continue }
            guard let parameter = resolved.objectValue else {
                error("A parameter must be an object, not \(resolved.typeName)", at: resolvedPointer)
                continue
            }
            guard let name = string(parameter, "name", at: resolvedPointer),
                let location = string(parameter, "in", at: resolvedPointer)
            else {
                error("A parameter needs both 'name' and 'in'", at: resolvedPointer)
                continue
            }
            result["\(location)|\(name)"] = (parameter, resolvedPointer)
        }
        return result
    }

    mutating func readOperation(
        _ operation: OrderedDictionary<String, DocValue>, httpMethod: String, path: String, at pointer: String,
        shared: OrderedDictionary<String, (OrderedDictionary<String, DocValue>, String)>,
        schemes: [String: SecurityScheme], validators: [String: (body: Bool, parameters: Bool)],
        defaultValidator: String?
    ) -> ImportedMethod {
        if version == .swagger2 {
            for key in ["requestBody", "callbacks", "servers"] where operation[key] != nil {
                error(
                    "'\(key)' is an OpenAPI 3 field and is not valid in a Swagger 2.0 operation",
                    at: JSONPointer.append(pointer, key))
            }
        } else {
            for key in ["consumes", "produces", "schemes"] where operation[key] != nil {
                error(
                    "'\(key)' is a Swagger 2.0 field and is not valid in an OpenAPI 3 operation",
                    at: JSONPointer.append(pointer, key))
            }
        }
        var method = Method(httpMethod: httpMethod)
        method.operationName = string(operation, "operationId", at: pointer)

        // Path variables are always required parameters.
        for name in PathRules.segments(path).compactMap(PathRules.variableName) {
            method.requestParameters[ParameterLocation.path.methodRequestKey(name)] = true
        }
        var parameters = shared
        for (key, value) in readParameterList(operation, at: pointer) { parameters[key] = value }
        for (_, (parameter, parameterPointer)) in parameters {
            readParameter(parameter, at: parameterPointer, path: path, operation: operation, into: &method)
        }
        if version != .swagger2, let body = operation["requestBody"] {
            readRequestBody(body, at: JSONPointer.append(pointer, "requestBody"), into: &method)
        }
        readResponses(operation, at: pointer, into: &method)
        readSecurity(operation, at: pointer, schemes: schemes, into: &method)
        if let auth = object(operation, "x-amazon-apigateway-auth", at: pointer), let type = auth["type"]?.stringValue {
            switch type.lowercased() {
            case "aws_iam": method.authorizationType = .awsIam
            case "none": method.authorizationType = .none
            default:
                error(
                    "Invalid x-amazon-apigateway-auth type '\(type)': must be AWS_IAM or NONE",
                    at: JSONPointer.append(pointer, "x-amazon-apigateway-auth", "type"))
            }
        }
        if let integration = object(operation, "x-amazon-apigateway-integration", at: pointer) {
            method.methodIntegration = readIntegration(
                integration, at: JSONPointer.append(pointer, "x-amazon-apigateway-integration"), path: path,
                httpMethod: httpMethod)
        }
        var validatorName = defaultValidator
        if let name = string(operation, "x-amazon-apigateway-request-validator", at: pointer) {
            if validators[name] == nil {
                error(
                    "The request validator '\(name)' is not defined in x-amazon-apigateway-request-validators",
                    at: JSONPointer.append(pointer, "x-amazon-apigateway-request-validator"))
            }
            validatorName = name
        }
        return ImportedMethod(method: method, requestValidatorName: validatorName)
    }

    mutating func readParameter(
        _ parameter: OrderedDictionary<String, DocValue>, at pointer: String, path: String,
        operation: OrderedDictionary<String, DocValue>, into method: inout Method
    ) {
        guard let name = parameter["name"]?.stringValue, let location = parameter["in"]?.stringValue else { return }
        let required = bool(parameter, "required", at: pointer) ?? false
        switch location {
        case "path":
            let variables = PathRules.segments(path).compactMap(PathRules.variableName)
            if !variables.contains(name) {
                warn("The path parameter '\(name)' is not in the path '\(path)'; it is ignored", at: pointer)
            }
        case "query":
            method.requestParameters[ParameterLocation.querystring.methodRequestKey(name)] = required
        case "header":
            method.requestParameters[ParameterLocation.header.methodRequestKey(name)] = required
        case "body" where version == .swagger2:
            guard let schema = parameter["schema"] else { return }
            // Swagger 2.0 has one body schema for every type the operation consumes.
            let contentTypes = mediaTypes(operation, "consumes")
            if let model = modelName(ofSchema: schema, at: JSONPointer.append(pointer, "schema")) {
                for contentType in contentTypes.isEmpty ? ["application/json"] : contentTypes {
                    method.requestModels[contentType] = model
                }
            }
        case "formData" where version == .swagger2:
            warn("The form parameter '\(name)' is not imported: API Gateway has no form parameters", at: pointer)
        case "cookie" where version != .swagger2:
            warn("The cookie parameter '\(name)' is not imported: API Gateway has no cookie parameters", at: pointer)
        default:
            error(
                "Invalid parameter location '\(location)' for \(version.rawValue)",
                at: JSONPointer.append(pointer, "in"))
        }
    }

    /// Media types from an operation's or the document's `consumes` / `produces` (Swagger 2.0).
    func mediaTypes(_ operation: OrderedDictionary<String, DocValue>, _ key: String) -> [String] {
        (operation[key] ?? members[key])?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    mutating func readRequestBody(_ body: DocValue, at pointer: String, into method: inout Method) {
        guard let (resolved, bodyPointer) = resolve(body, at: pointer) else { return }
        guard let content = resolved["content"]?.objectValue else { return }
        for (contentType, media) in content {
            let mediaPointer = JSONPointer.append(bodyPointer, "content", contentType)
            guard let schema = media["schema"] else { continue }
            if let model = modelName(ofSchema: schema, at: JSONPointer.append(mediaPointer, "schema")) {
                method.requestModels[contentType] = model
            }
        }
    }

    mutating func readResponses(
        _ operation: OrderedDictionary<String, DocValue>, at pointer: String, into method: inout Method
    ) {
        guard let responses = object(operation, "responses", at: pointer) else { return }
        for (status, value) in responses where !status.hasPrefix("x-") {
            let responsePointer = JSONPointer.append(pointer, "responses", status)
            if status == "default" { continue }
            guard OpenAPIImporter.isStatusCode(status) else {
                warn(
                    "The response '\(status)' is not a status code; API Gateway method responses need one, so it is skipped",
                    at: responsePointer)
                continue
            }
            guard let (resolved, resolvedPointer) = resolve(value, at: responsePointer) else { continue }
            guard let response = resolved.objectValue else {
                error("A response must be an object, not \(resolved.typeName)", at: resolvedPointer)
                continue
            }
            var methodResponse = MethodResponse(statusCode: status)
            for header in (object(response, "headers", at: resolvedPointer) ?? [:]).keys {
                methodResponse.responseParameters["method.response.header.\(header)"] = false
            }
            if version == .swagger2 {
                if let schema = response["schema"],
                    let model = modelName(ofSchema: schema, at: JSONPointer.append(resolvedPointer, "schema"))
                {
                    let contentTypes = mediaTypes(operation, "produces")
                    for contentType in contentTypes.isEmpty ? ["application/json"] : contentTypes {
                        methodResponse.responseModels[contentType] = model
                    }
                }
            } else if let content = response["content"]?.objectValue {
                for (contentType, media) in content {
                    guard let schema = media["schema"] else { continue }
                    let schemaPointer = JSONPointer.append(resolvedPointer, "content", contentType, "schema")
                    if let model = modelName(ofSchema: schema, at: schemaPointer) {
                        methodResponse.responseModels[contentType] = model
                    }
                }
            }
            method.methodResponses[status] = methodResponse
        }
    }

    mutating func readSecurity(
        _ operation: OrderedDictionary<String, DocValue>, at pointer: String, schemes: [String: SecurityScheme],
        into method: inout Method
    ) {
        // An operation without its own `security` takes the document's, as API Gateway applies it.
        let (requirements, requirementsPointer): ([DocValue], String)
        if operation["security"] != nil {
            guard let own = array(operation, "security", at: pointer) else { return }
            (requirements, requirementsPointer) = (own, "\(pointer)/security")
        } else if let global = members["security"]?.arrayValue {
            (requirements, requirementsPointer) = (global, "/security")
        } else {
            return
        }
        for (index, requirement) in requirements.enumerated() {
            let requirementPointer = "\(requirementsPointer)/\(index)"
            guard let names = requirement.objectValue else {
                error("A security requirement must be an object, not \(requirement.typeName)", at: requirementPointer)
                continue
            }
            for name in names.keys {
                let namePointer = JSONPointer.append(requirementPointer, name)
                guard let scheme = schemes[name] else {
                    error("The security scheme '\(name)' is not defined", at: namePointer)
                    continue
                }
                if let authorizer = scheme.authorizer {
                    // The authorizer is named here; the import gives it its id.
                    method.authorizationType = authorizer.type == .cognitoUserPools ? .cognitoUserPools : .custom
                    method.authorizerId = authorizer.name
                    if authorizer.type == .cognitoUserPools {
                        let scopes = names[name]?.arrayValue?.compactMap(\.stringValue) ?? []
                        method.authorizationScopes = scopes.isEmpty ? nil : scopes
                    }
                } else if scheme.type == "apiKey" {
                    if scheme.authType?.lowercased() == "awssigv4" {
                        method.authorizationType = .awsIam
                        continue
                    }
                    method.apiKeyRequired = true
                    if scheme.headerName?.lowercased() != "x-api-key" || scheme.location != "header" {
                        warn(
                            "API Gateway reads API keys from the 'x-api-key' header; the scheme '\(name)' names \(scheme.location ?? "?") '\(scheme.headerName ?? "?")', which is not used",
                            at: namePointer)
                    }
                } else {
                    warn(
                        "The security scheme '\(name)' of type \(scheme.type) is not supported by API Gateway's importer and is ignored",
                        at: namePointer)
                }
            }
        }
    }
}
