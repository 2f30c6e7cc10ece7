import GatewayModel
import OrderedCollections

extension OpenAPIImporter {
    /// `x-amazon-apigateway-integration`, all its fields; types may be written in lower case.
    mutating func readIntegration(
        _ object: OrderedDictionary<String, DocValue>, at pointer: String, path: String, httpMethod: String
    ) -> Integration? {
        guard let typeText = string(object, "type", at: pointer) else {
            error("The integration has no 'type' (http, http_proxy, mock, aws or aws_proxy)", at: pointer)
            return nil
        }
        guard let type = IntegrationType(rawValue: typeText.uppercased()) else {
            error(
                "Invalid integration type '\(typeText)': must be http, http_proxy, mock, aws or aws_proxy",
                at: JSONPointer.append(pointer, "type"))
            return nil
        }
        var integration = Integration(type: type)
        integration.httpMethod = string(object, "httpMethod", at: pointer)?.uppercased()
        if let method = integration.httpMethod, !HTTPVerb.isValid(method) {
            error("Invalid integration HTTP method '\(method)'", at: JSONPointer.append(pointer, "httpMethod"))
        }
        integration.uri = string(object, "uri", at: pointer)
        if type != .mock {
            if integration.uri?.isEmpty ?? true {
                error("A \(typeText) integration needs a 'uri'", at: pointer)
            }
            if integration.httpMethod == nil {
                error("A \(typeText) integration needs an 'httpMethod'", at: pointer)
            }
        }
        if let connection = string(object, "connectionType", at: pointer) {
            guard let connectionType = ConnectionType(rawValue: connection.uppercased()) else {
                error(
                    "Invalid connection type '\(connection)': must be INTERNET or VPC_LINK",
                    at: JSONPointer.append(pointer, "connectionType"))
                return nil
            }
            integration.connectionType = connectionType
        }
        integration.connectionId = string(object, "connectionId", at: pointer)
        if integration.connectionType == .vpcLink && (integration.connectionId?.isEmpty ?? true) {
            error("A VPC_LINK integration needs a 'connectionId'", at: pointer)
        }
        integration.credentials = string(object, "credentials", at: pointer)
        integration.requestParameters = readRequestParameters(object, at: pointer, path: path, httpMethod: httpMethod)
        integration.requestTemplates = stringMap(object, "requestTemplates", at: pointer)
        if let text = string(object, "passthroughBehavior", at: pointer) {
            integration.passthroughBehavior = PassthroughBehavior(rawValue: text.uppercased())
            if integration.passthroughBehavior == nil {
                error(
                    "Invalid passthroughBehavior '\(text)': must be when_no_match, when_no_templates or never",
                    at: JSONPointer.append(pointer, "passthroughBehavior"))
            }
        }
        integration.contentHandling = readContentHandling(object, at: pointer)
        if let timeout = object["timeoutInMillis"] {
            if let millis = timeout.intValue, Integration.timeoutRange.contains(millis) {
                integration.timeoutInMillis = millis
            } else {
                error(
                    "Timeout should be between 50 ms and 29000 ms", at: JSONPointer.append(pointer, "timeoutInMillis"))
            }
        }
        integration.cacheNamespace = string(object, "cacheNamespace", at: pointer)
        integration.cacheKeyParameters = (array(object, "cacheKeyParameters", at: pointer) ?? []).compactMap(
            \.stringValue)
        if let tls = self.object(object, "tlsConfig", at: pointer) {
            integration.tlsConfig = TLSConfig(
                insecureSkipVerification: bool(
                    tls, "insecureSkipVerification", at: JSONPointer.append(pointer, "tlsConfig")) ?? false)
        }
        for (pattern, value) in self.object(object, "responses", at: pointer) ?? [:] {
            let responsePointer = JSONPointer.append(pointer, "responses", pattern)
            guard let response = value.objectValue else {
                error("An integration response must be an object, not \(value.typeName)", at: responsePointer)
                continue
            }
            guard
                let status = member(
                    response, "statusCode", at: responsePointer, as: "a status code", { $0.scalarText }),
                OpenAPIImporter.isStatusCode(status)
            else {
                error("An integration response needs a 'statusCode' of three digits", at: responsePointer)
                continue
            }
            if integration.integrationResponses[status] != nil {
                warn("Two integration responses map to status \(status); the later one is kept", at: responsePointer)
            }
            integration.integrationResponses[status] = IntegrationResponse(
                statusCode: status, selectionPattern: pattern == "default" ? nil : pattern,
                responseParameters: stringMap(response, "responseParameters", at: responsePointer),
                responseTemplates: stringMap(response, "responseTemplates", at: responsePointer),
                contentHandling: readContentHandling(response, at: responsePointer))
        }
        return integration
    }

    mutating func readContentHandling(_ object: OrderedDictionary<String, DocValue>, at pointer: String)
        -> ContentHandling?
    {
        guard let text = string(object, "contentHandling", at: pointer) else { return nil }
        guard let handling = ContentHandling(rawValue: text.uppercased()) else {
            error(
                "Invalid contentHandling '\(text)': must be CONVERT_TO_BINARY or CONVERT_TO_TEXT",
                at: JSONPointer.append(pointer, "contentHandling"))
            return nil
        }
        return handling
    }

    /// An integration's `requestParameters`: a value that is not a string (`true`, `5`) is left out with API
    /// Gateway's warning, in its words.
    mutating func readRequestParameters(
        _ object: OrderedDictionary<String, DocValue>, at pointer: String, path: String, httpMethod: String
    ) -> [String: String] {
        guard let map = self.object(object, "requestParameters", at: pointer) else { return [:] }
        var result: [String: String] = [:]
        for (name, value) in map {
            if let text = value.stringValue {
                result[name] = text
            } else {
                let resource = resourcePath(of: path)
                warnings.append(
                    ImportProblem(
                        message:
                            "Invalid format for 'requestParameters'. Expected type string for property '\(name)' of resource '\(resource)' and method '\(httpMethod)' but got '\(value.scalarText ?? value.typeName)'"
                    ))
            }
        }
        return result
    }
}
