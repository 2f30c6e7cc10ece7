import Foundation
import GatewayModel
import GatewayStore

extension GatewayControl {
    /// Registers a Cognito user pool's key set (or replaces the pool's when `replace`): `COGNITO_USER_POOLS`
    /// authorizers that name the pool verify tokens against it from the next request on.
    @discardableResult
    public func addUserPool(_ pool: UserPool, replace: Bool = false) throws -> UserPool {
        var pool = pool
        pool.id = UserPool.id(fromArn: pool.id)
        guard UserPool.isValidId(pool.id) else {
            throw GatewayError.badRequest(
                "Invalid user pool id \(pool.id): a pool id is REGION_ID (us-east-1_AbCdEf123), or give the pool's ARN")
        }
        do {
            _ = try UserPool.keys(fromJWKS: pool.jwks)
        } catch {
            throw GatewayError.badRequest("The key set of \(pool.id) (from \(pool.source)) is not usable: \(error)")
        }
        let saved = pool
        try write { access in
            if !replace, try access.one(UserPool.self, in: .userPool, id: saved.id) != nil {
                throw GatewayError.conflict(
                    "User pool already exists: \(saved.id) (add it with --replace to read its keys again)")
            }
            try access.save(saved, in: .userPool, id: saved.id)
        }
        emit(.userPool, .created, id: pool.id)
        return pool
    }

    /// Every registered user pool, by id.
    public nonisolated func userPools() throws -> [UserPool] {
        try read { try $0.all(UserPool.self, in: .userPool) }.sorted { $0.id < $1.id }
    }

    /// One user pool, by id or ARN.
    public nonisolated func userPool(_ idOrArn: String) throws -> UserPool {
        let id = UserPool.id(fromArn: idOrArn)
        return try read { access in
            guard let pool = try access.one(UserPool.self, in: .userPool, id: id) else {
                throw GatewayError.notFound("User pool not found: \(id)")
            }
            return pool
        }
    }

    /// Removes a user pool; tokens of it are refused from the next request on.
    public func removeUserPool(_ idOrArn: String) throws {
        let pool = try userPool(idOrArn)
        try write { access in _ = try access.delete(from: .userPool, id: pool.id) }
        emit(.userPool, .deleted, id: pool.id)
    }
}
