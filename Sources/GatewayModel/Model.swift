/// A data model: a JSON Schema (draft 4) for request or response bodies.
public struct Model: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var name: String
    public var description: String?
    /// The schema as JSON text; references to other models name them by URL, as API Gateway does.
    public var schema: String?
    public var contentType: String

    public init(
        id: String, name: String, description: String? = nil, schema: String?, contentType: String = "application/json"
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.schema = schema
        self.contentType = contentType
    }

    /// The models API Gateway gives every API it creates: `Empty` and `Error`.
    public static func defaults() -> [Model] {
        [
            Model(
                id: Identifiers.shortObject(), name: "Empty", description: "This is a default empty schema model",
                schema:
                    #"{"$schema": "http://json-schema.org/draft-04/schema#", "title": "Empty Schema", "type": "object"}"#,
                contentType: "application/json"),
            Model(
                id: Identifiers.shortObject(), name: "Error", description: "This is a default error schema model",
                schema:
                    #"{"$schema": "http://json-schema.org/draft-04/schema#", "title": "Error Schema", "type": "object", "properties": {"message": {"type": "string"}}}"#,
                contentType: "application/json"),
        ]
    }

    /// Whether `name` is a valid model name (letters and digits only).
    /// AWS's answer to a model without a schema.
    public static let emptySchemaMessage = "Model schema must have at least 1 property or array items defined"

    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    /// The URL API Gateway uses in schemas to refer to a model of an API.
    public static func referenceURL(apiId: String, name: String) -> String {
        "https://apigateway.amazonaws.com/restapis/\(apiId)/models/\(name)"
    }

    /// The model name of a reference URL made by `referenceURL`, or nil.
    public static func name(fromReferenceURL url: String) -> String? {
        guard url.hasPrefix("https://apigateway.amazonaws.com/restapis/"), let range = url.range(of: "/models/") else {
            return nil
        }
        let name = String(url[range.upperBound...])
        return name.isEmpty ? nil : name
    }
}

/// Which parts of a request API Gateway validates.
public struct RequestValidator: Codable, Sendable, Equatable, Identifiable {
    /// AWS's answer to a validator that is not there (also when its API is not).
    public static let unknownMessage = "Invalid Request Validator identifier specified"

    public var id: String
    public var name: String
    public var validateRequestBody: Bool
    public var validateRequestParameters: Bool

    public init(id: String, name: String, validateRequestBody: Bool, validateRequestParameters: Bool) {
        self.id = id
        self.name = name
        self.validateRequestBody = validateRequestBody
        self.validateRequestParameters = validateRequestParameters
    }
}

/// A customised gateway response (for example `INVALID_API_KEY` or `DEFAULT_4XX`).
public struct GatewayResponse: Codable, Sendable, Equatable {
    /// The gateway response types API Gateway knows.
    public static let types: Set<String> = [
        "ACCESS_DENIED", "API_CONFIGURATION_ERROR", "AUTHORIZER_CONFIGURATION_ERROR", "AUTHORIZER_FAILURE",
        "BAD_REQUEST_PARAMETERS", "BAD_REQUEST_BODY", "DEFAULT_4XX", "DEFAULT_5XX", "EXPIRED_TOKEN",
        "INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT", "INVALID_API_KEY", "INVALID_SIGNATURE",
        "MISSING_AUTHENTICATION_TOKEN", "QUOTA_EXCEEDED", "REQUEST_TOO_LARGE", "RESOURCE_NOT_FOUND", "THROTTLED",
        "UNAUTHORIZED", "UNSUPPORTED_MEDIA_TYPE", "WAF_FILTERED",
    ]

    public var responseType: String
    public var statusCode: String?
    public var responseParameters: [String: String]
    public var responseTemplates: [String: String]
    public var defaultResponse: Bool

    public init(
        responseType: String, statusCode: String? = nil, responseParameters: [String: String] = [:],
        responseTemplates: [String: String] = [:], defaultResponse: Bool = false
    ) {
        self.responseType = responseType
        self.statusCode = statusCode
        self.responseParameters = responseParameters
        self.responseTemplates = responseTemplates
        self.defaultResponse = defaultResponse
    }
}
