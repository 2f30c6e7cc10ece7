import Foundation

/// A base path mapping: requests to `https://{domain}/{basePath}/…` go to a stage of a REST API. `(none)` maps
/// the domain's root; without a stage, the first path segment names the stage.
public struct BasePathMapping: Codable, Sendable, Equatable {
    public static let none = "(none)"

    public var basePath: String
    public var restApiId: String
    public var stage: String?

    public init(basePath: String = BasePathMapping.none, restApiId: String, stage: String? = nil) {
        self.basePath = basePath
        self.restApiId = restApiId
        self.stage = stage
    }

    /// Why `basePath` cannot be one, or nil.
    public static func problem(inBasePath basePath: String) -> String? {
        if basePath.contains("/") {
            return
                "API Gateway V1 doesn't support the slash character (/) in base path mappings. To create a multi-level base path mapping, use API Gateway V2."
        }
        return nil
    }
}

/// A custom domain name, with its certificate names and its base path mappings.
public struct DomainName: Codable, Sendable, Equatable, Identifiable {
    public var domainName: String
    public var certificateName: String?
    public var certificateArn: String?
    public var regionalCertificateName: String?
    public var regionalCertificateArn: String?
    public var distributionDomainName: String?
    public var regionalDomainName: String?
    public var endpointConfiguration: EndpointConfiguration
    public var domainNameStatus: String
    public var securityPolicy: String
    public var certificateUploadDate: Date
    public var tags: [String: String]
    public var basePathMappings: [BasePathMapping]

    public init(
        domainName: String, certificateName: String? = nil, certificateArn: String? = nil,
        regionalCertificateName: String? = nil, regionalCertificateArn: String? = nil,
        endpointType: EndpointType = .edge, securityPolicy: String = "TLS_1_2", tags: [String: String] = [:],
        region: String = Region.default
    ) {
        self.domainName = domainName
        self.certificateName = certificateName
        self.certificateArn = certificateArn
        self.regionalCertificateName = regionalCertificateName
        self.regionalCertificateArn = regionalCertificateArn
        let suffix = Identifiers.make(length: 13).lowercased()
        switch endpointType {
        case .edge: distributionDomainName = "d\(suffix).cloudfront.net"
        case .regional, .private:
            regionalDomainName = "d-\(Identifiers.make(length: 10).lowercased()).execute-api.\(region).amazonaws.com"
        }
        endpointConfiguration = EndpointConfiguration(types: [endpointType])
        domainNameStatus = "AVAILABLE"
        self.securityPolicy = securityPolicy
        certificateUploadDate = Date()
        self.tags = tags
        basePathMappings = []
    }

    public var id: String { domainName }

    /// The mapping a request path starts with (`/v1/pets` → `v1`), else the root mapping; and the rest of the path.
    public func mapping(for path: Substring) -> (BasePathMapping, Substring)? {
        let trimmed = path.drop { $0 == "/" }
        let first = trimmed.prefix { $0 != "/" }
        if !first.isEmpty, let mapping = basePathMappings.first(where: { $0.basePath == first }) {
            return (mapping, trimmed.dropFirst(first.count))
        }
        return basePathMappings.first { $0.basePath == BasePathMapping.none }.map { ($0, path) }
    }
}
