import Foundation
import GatewayModel
import GatewayStore

extension GatewayControl {
    /// API Gateway's limit of authorizers per API.
    public static let maximumAuthorizers = 10

    // MARK: Authorizers

    /// The authorizers of an API.
    public nonisolated func authorizers(api: String) throws -> [Authorizer] {
        try read { access in
            _ = try requireApi(api, access)
            return try access.all(Authorizer.self, in: .authorizer, api: api)
        }
    }

    /// One authorizer.
    public nonisolated func authorizer(api: String, id: String) throws -> Authorizer {
        try read { access in try requireAuthorizer(id, api: api, access) }
    }

    nonisolated func requireAuthorizer(_ id: String, api: String, _ access: StoreAccess) throws -> Authorizer {
        _ = try requireApi(api, access)
        guard let authorizer = try access.one(Authorizer.self, in: .authorizer, id: id, api: api) else {
            throw GatewayError.notFound("Invalid Authorizer identifier specified")
        }
        return authorizer
    }

    /// Creates an authorizer (its id is made here).
    public func createAuthorizer(api: String, _ authorizer: Authorizer) throws -> Authorizer {
        var authorizer = authorizer
        authorizer.id = Identifiers.shortObject()
        if let problem = authorizer.problem { throw GatewayError.badRequest(problem) }
        try write { access in
            _ = try requireApi(api, access)
            if try access.all(Authorizer.self, in: .authorizer, api: api).count >= GatewayControl.maximumAuthorizers {
                throw GatewayError(
                    .limitExceeded, "An API can have at most \(GatewayControl.maximumAuthorizers) authorizers")
            }
            try access.save(authorizer, in: .authorizer, id: authorizer.id, api: api)
        }
        emit(.authorizer, .created, id: authorizer.id, api: api)
        return authorizer
    }

    /// Changes an authorizer, validated whole; its id and type stay.
    public func updateAuthorizer(api: String, id: String, _ change: @Sendable (inout Authorizer) throws -> Void) throws
        -> Authorizer
    {
        let authorizer = try write { access in
            var authorizer = try requireAuthorizer(id, api: api, access)
            let original = authorizer
            try change(&authorizer)
            authorizer.id = original.id
            if let problem = authorizer.problem { throw GatewayError.badRequest(problem) }
            try access.save(authorizer, in: .authorizer, id: id, api: api)
            return authorizer
        }
        emit(.authorizer, .updated, id: id, api: api)
        return authorizer
    }

    /// Deletes an authorizer that no method uses.
    public func deleteAuthorizer(api: String, id: String) throws {
        try write { access in
            _ = try requireAuthorizer(id, api: api, access)
            for resource in try access.all(Resource.self, in: .resource, api: api) {
                if let method = resource.sortedMethods.first(where: { $0.authorizerId == id }) {
                    throw GatewayError.conflict(
                        "Cannot delete authorizer \(id): it is used by \(method.httpMethod) \(resource.path)")
                }
            }
            try access.delete(from: .authorizer, id: id, api: api)
        }
        emit(.authorizer, .deleted, id: id, api: api)
    }
}
