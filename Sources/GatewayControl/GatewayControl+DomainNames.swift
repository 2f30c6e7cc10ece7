import Foundation
import GatewayModel
import GatewayStore

extension GatewayControl {
    // MARK: Custom domain names

    /// Creates a custom domain name; its requests are served through its base path mappings.
    public func createDomainName(_ domain: DomainName) throws -> DomainName {
        guard !domain.domainName.isEmpty else { throw GatewayError.badRequest("No Domain Name specified") }
        try write { access in
            if try access.one(DomainName.self, in: .domainName, id: domain.domainName) != nil {
                throw GatewayError.conflict("The domain name you provided already exists.")
            }
            try access.save(domain, in: .domainName, id: domain.domainName)
        }
        emit(.domainName, .created, id: domain.domainName)
        return domain
    }

    /// Every custom domain name, by name.
    public nonisolated func domainNames() throws -> [DomainName] {
        try read { try $0.all(DomainName.self, in: .domainName) }.sorted { $0.domainName < $1.domainName }
    }

    /// One custom domain name.
    public nonisolated func domainName(_ name: String) throws -> DomainName {
        try read { try requireDomain(name, $0) }
    }

    nonisolated func requireDomain(_ name: String, _ access: StoreAccess) throws -> DomainName {
        guard let domain = try access.one(DomainName.self, in: .domainName, id: name) else {
            throw GatewayError.notFound("Invalid domain name identifier specified")
        }
        return domain
    }

    /// Changes a custom domain name (certificates, tags, mappings), validated whole.
    public func updateDomainName(_ name: String, _ change: @Sendable (inout DomainName) throws -> Void) throws
        -> DomainName
    {
        let domain = try write { access in
            var domain = try requireDomain(name, access)
            let original = domain
            try change(&domain)
            domain.domainName = name
            try validateMappings(domain, original: original, access)
            try access.save(domain, in: .domainName, id: name)
            return domain
        }
        emit(.domainName, .updated, id: name)
        return domain
    }

    /// Base paths are unique and slash-free; a new or changed mapping must name an API and stage that exist.
    nonisolated func validateMappings(_ domain: DomainName, original: DomainName, _ access: StoreAccess) throws {
        var seen = Set<String>()
        for mapping in domain.basePathMappings {
            if let problem = BasePathMapping.problem(inBasePath: mapping.basePath) {
                throw GatewayError.badRequest(problem)
            }
            guard seen.insert(mapping.basePath).inserted else {
                throw GatewayError.conflict("Base path already exists for this domain name")
            }
            if original.basePathMappings.contains(mapping) { continue }
            guard try access.one(RestApi.self, in: .restApi, id: mapping.restApiId) != nil else {
                throw GatewayError.badRequest("Invalid REST API identifier specified")
            }
            if let stage = mapping.stage,
                try access.one(Stage.self, in: .stage, id: stage, api: mapping.restApiId) == nil
            {
                throw GatewayError.badRequest("Invalid stage identifier specified")
            }
        }
    }

    /// Deletes a custom domain name and its mappings.
    public func deleteDomainName(_ name: String) throws {
        try write { access in
            guard try access.delete(from: .domainName, id: name) else {
                throw GatewayError.notFound("Invalid domain name identifier specified")
            }
        }
        emit(.domainName, .deleted, id: name)
    }

    /// Maps `basePath` (`(none)` for the root) of a domain to an API and, optionally, a stage.
    public func createBasePathMapping(domain name: String, mapping: BasePathMapping) throws -> BasePathMapping {
        _ = try updateDomainName(name) { domain in
            if let problem = BasePathMapping.problem(inBasePath: mapping.basePath) {
                throw GatewayError.badRequest(problem)
            }
            if domain.basePathMappings.contains(where: { $0.basePath == mapping.basePath }) {
                throw GatewayError.conflict("Base path already exists for this domain name")
            }
            domain.basePathMappings.append(mapping)
        }
        return mapping
    }

    /// Replaces the mapping at `basePath` with `mapping`; moving it onto a base path that another mapping has
    /// replaces that one.
    public func updateBasePathMapping(domain name: String, basePath: String, to mapping: BasePathMapping) throws
        -> BasePathMapping
    {
        _ = try updateDomainName(name) { domain in
            guard let index = domain.basePathMappings.firstIndex(where: { $0.basePath == basePath }) else {
                throw GatewayError.notFound("Invalid base path mapping identifier specified")
            }
            domain.basePathMappings[index] = mapping
            let kept = domain.basePathMappings.enumerated().filter { offset, other in
                offset == index || other.basePath != mapping.basePath
            }
            domain.basePathMappings = kept.map(\.element)
        }
        return mapping
    }

    /// Removes one mapping of a domain.
    public func deleteBasePathMapping(domain name: String, basePath: String) throws {
        _ = try updateDomainName(name) { domain in
            guard domain.basePathMappings.contains(where: { $0.basePath == basePath }) else {
                throw GatewayError.notFound("Invalid base path mapping identifier specified")
            }
            domain.basePathMappings.removeAll { $0.basePath == basePath }
        }
    }
}
