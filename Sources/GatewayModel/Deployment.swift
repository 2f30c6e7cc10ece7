import Foundation

/// A deployment: an immutable snapshot of an API, which stages point at.
public struct Deployment: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var restApiId: String
    public var description: String?
    public var createdDate: Date
    /// Resource path → method → (authorizationType, apiKeyRequired), as API Gateway's `apiSummary`.
    public var apiSummary: [String: [String: MethodSummary]]

    public init(
        id: String, restApiId: String, description: String? = nil, createdDate: Date = Date(),
        apiSummary: [String: [String: MethodSummary]] = [:]
    ) {
        self.id = id
        self.restApiId = restApiId
        self.description = description
        self.createdDate = createdDate
        self.apiSummary = apiSummary
    }

    /// The summary of a definition's methods, as a deployment records it.
    public static func summary(of definition: ApiDefinition) -> [String: [String: MethodSummary]] {
        var summary: [String: [String: MethodSummary]] = [:]
        for resource in definition.resources where !resource.resourceMethods.isEmpty {
            summary[resource.path] = resource.resourceMethods.mapValues {
                MethodSummary(authorizationType: $0.authorizationType, apiKeyRequired: $0.apiKeyRequired)
            }
        }
        return summary
    }
}

/// One entry of `Deployment.apiSummary`.
public struct MethodSummary: Codable, Sendable, Equatable {
    public var authorizationType: AuthorizationType
    public var apiKeyRequired: Bool
}
