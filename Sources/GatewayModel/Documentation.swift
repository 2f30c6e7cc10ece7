import Foundation

/// The kind of API entity a documentation part documents.
public enum DocumentationPartType: String, Codable, Sendable, CaseIterable {
    case api = "API"
    case authorizer = "AUTHORIZER"
    case model = "MODEL"
    case resource = "RESOURCE"
    case method = "METHOD"
    case pathParameter = "PATH_PARAMETER"
    case queryParameter = "QUERY_PARAMETER"
    case requestHeader = "REQUEST_HEADER"
    case requestBody = "REQUEST_BODY"
    case response = "RESPONSE"
    case responseHeader = "RESPONSE_HEADER"
    case responseBody = "RESPONSE_BODY"

    /// Which location fields the type takes, as API Gateway's `DocumentationPartLocation` defines them.
    var takesPath: Bool { ![.api, .authorizer, .model].contains(self) }
    var takesMethod: Bool { ![.api, .authorizer, .model, .resource].contains(self) }
    var takesStatusCode: Bool { [.response, .responseHeader, .responseBody].contains(self) }
    var needsName: Bool {
        [.authorizer, .model, .pathParameter, .queryParameter, .requestHeader, .responseHeader].contains(self)
    }
}

/// Where a documentation part applies: the entity type and, as the type takes them, a resource path, method,
/// status code and name.
public struct DocumentationPartLocation: Codable, Sendable, Equatable, Hashable {
    public var type: DocumentationPartType
    public var path: String?
    public var method: String?
    public var statusCode: String?
    public var name: String?

    public init(
        type: DocumentationPartType, path: String? = nil, method: String? = nil, statusCode: String? = nil,
        name: String? = nil
    ) {
        self.type = type
        self.path = path
        self.method = method
        self.statusCode = statusCode
        self.name = name
    }

    /// The location with API Gateway's defaults filled in (`/` for the path, `*` for the method and status
    /// code), or why it is not a valid location.
    public func normalized() -> Result<DocumentationPartLocation, GatewayError> {
        func refuse(_ field: String) -> Result<DocumentationPartLocation, GatewayError> {
            .failure(
                .badRequest(
                    "Invalid documentation part location: '\(field)' is not a valid field for a part of type \(type.rawValue)"
                ))
        }
        var result = self
        if type.takesPath {
            let path = path ?? "/"
            guard path.hasPrefix("/") else {
                return .failure(
                    .badRequest("Invalid documentation part location: the path '\(path)' must start with '/'"))
            }
            result.path = path
        } else if path != nil {
            return refuse("path")
        }
        if type.takesMethod {
            result.method = method.map { $0 == "*" ? $0 : $0.uppercased() } ?? "*"
        } else if method != nil {
            return refuse("method")
        }
        if type.takesStatusCode {
            result.statusCode = statusCode ?? "*"
        } else if statusCode != nil {
            return refuse("statusCode")
        }
        if type.needsName {
            guard let name, !name.isEmpty else {
                return .failure(
                    .badRequest(
                        "Invalid documentation part location: a part of type \(type.rawValue) needs a 'name'"))
            }
        } else if name != nil {
            return refuse("name")
        }
        return .success(result)
    }
}

/// A documentation part: a JSON object of properties (`description`, `summary`, …) for one location.
public struct DocumentationPart: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var location: DocumentationPartLocation
    /// The properties as JSON text, as API Gateway keeps and returns them.
    public var properties: String

    public init(id: String, location: DocumentationPartLocation, properties: String) {
        self.id = id
        self.location = location
        self.properties = properties
    }

    /// Why `properties` cannot be a part's properties, or nil: they must be a JSON object.
    public static func problem(inProperties properties: String) -> String? {
        guard let data = properties.data(using: .utf8),
            (try? JSONSerialization.jsonObject(with: data)) is [String: Any]
        else {
            return "Documentation part properties must be a JSON object"
        }
        return nil
    }
}

/// A published snapshot of an API's documentation parts, which a stage can name.
public struct DocumentationVersion: Codable, Sendable, Equatable {
    public var version: String
    public var createdDate: Date
    public var description: String?
    /// The parts as they were when the version was made.
    public var parts: [DocumentationPart]

    public init(version: String, createdDate: Date = Date(), description: String? = nil, parts: [DocumentationPart]) {
        self.version = version
        self.createdDate = createdDate
        self.description = description
        self.parts = parts
    }
}
