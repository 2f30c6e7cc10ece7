import Crypto
import Foundation
import GatewayModel
import _CryptoExtras

/// A user pool's keys, ready to verify signatures.
struct CompiledUserPool: Sendable {
    let id: String
    let issuer: String
    let keys: [String: _RSA.Signing.PublicKey]

    /// Nil when the pool's key set has no key Gatehouse can use (it was checked when the pool was added).
    init?(_ pool: UserPool) {
        guard let keys = try? UserPool.keys(fromJWKS: pool.jwks) else { return nil }
        var usable: [String: _RSA.Signing.PublicKey] = [:]
        for key in keys {
            usable[key.kid] = try? _RSA.Signing.PublicKey(n: key.modulus, e: key.exponent)
        }
        guard !usable.isEmpty else { return nil }
        id = pool.id
        issuer = pool.issuer
        self.keys = usable
    }
}

/// How API Gateway checks a token for a `COGNITO_USER_POOLS` authorizer: an RS256 JWT signed by a key of one of
/// the authorizer's user pools, issued by that pool, not expired. A method without `authorizationScopes` takes an
/// ID token (`token_use` `id`); a method with scopes takes an access token whose `scope` holds one of them.
enum UserPoolTokens {
    struct Refusal: Error, Equatable {
        var reason: String
    }

    static func verify(_ token: String, pools: [CompiledUserPool], scopes: [String], now: Date = Date())
        throws(Refusal) -> [(String, String)]
    {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw Refusal(reason: "the token is not a JWT (three base64url parts)") }
        guard let header = object(parts[0]) else { throw Refusal(reason: "the token's header is not base64url JSON") }
        let algorithm = header["alg"] as? String ?? "none"
        guard algorithm == "RS256" else { throw Refusal(reason: "the token is signed with \(algorithm), not RS256") }
        guard let kid = header["kid"] as? String else { throw Refusal(reason: "the token's header names no kid") }
        guard let pool = pools.first(where: { $0.keys[kid] != nil }), let key = pool.keys[kid] else {
            throw Refusal(
                reason:
                    "no key \(kid) in the user pools \(pools.map(\.id).joined(separator: ", ")) (is the key set current?)"
            )
        }
        guard let signature = UserPool.base64URLDecode(parts[2]),
            key.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature),
                for: SHA256.hash(data: Data(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))),
                padding: .insecurePKCS1v1_5)
        else { throw Refusal(reason: "the token's signature does not verify with key \(kid) of \(pool.id)") }
        guard let claims = object(parts[1]) else { throw Refusal(reason: "the token's payload is not base64url JSON") }
        let issuer = claims["iss"] as? String ?? ""
        guard issuer == pool.issuer else {
            throw Refusal(reason: "the token was issued by \(issuer.isEmpty ? "no one" : issuer), not \(pool.issuer)")
        }
        guard let expires = (claims["exp"] as? NSNumber)?.doubleValue else {
            throw Refusal(reason: "the token has no exp")
        }
        guard expires > now.timeIntervalSince1970 else {
            throw Refusal(reason: "the token expired at \(javaDate(expires))")
        }
        if let notBefore = (claims["nbf"] as? NSNumber)?.doubleValue, notBefore > now.timeIntervalSince1970 {
            throw Refusal(reason: "the token is not valid before \(javaDate(notBefore))")
        }
        let use = claims["token_use"] as? String ?? ""
        if scopes.isEmpty {
            guard use == "id" else {
                throw Refusal(
                    reason:
                        "the method has no authorization scopes, so it takes an ID token, and this is \(use.isEmpty ? "no Cognito token" : "an \(use) token")"
                )
            }
        } else {
            guard use == "access" else {
                throw Refusal(reason: "the method has authorization scopes, so it takes an access token, not \(use)")
            }
            let granted = Set((claims["scope"] as? String ?? "").split(separator: " ").map(String.init))
            guard scopes.contains(where: granted.contains) else {
                throw Refusal(
                    reason:
                        "the token's scopes (\(granted.sorted().joined(separator: " "))) hold none of \(scopes.joined(separator: ", "))"
                )
            }
        }
        return claims.sorted { $0.key < $1.key }.map { name, value in (name, text(of: value, claim: name)) }
    }

    /// A claim as API Gateway passes it on: text, with `exp` and `iat` as Java writes a date.
    static func text(of value: Any, claim: String) -> String {
        if claim == "exp" || claim == "iat", let seconds = (value as? NSNumber)?.doubleValue {
            return javaDate(seconds)
        }
        if let scalar = JSONScalar(value) { return scalar.text }
        if let list = value as? [Any] {
            return "[" + list.map { text(of: $0, claim: "") }.joined(separator: ", ") + "]"
        }
        if let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) {
            return String(decoding: data, as: UTF8.self)
        }
        return "\(value)"
    }

    /// `Wed Dec 02 07:00:00 UTC 2026`.
    static func javaDate(_ seconds: Double) -> String {
        let time = CivilDate.Time(Date(timeIntervalSince1970: seconds.rounded(.down)))
        return "\(time.weekday) \(time.monthName) \(CivilDate.two(time.day)) \(time.clock(":")) UTC \(time.year)"
    }

    private static func object(_ part: Substring) -> [String: Any]? {
        UserPool.base64URLDecode(part).flatMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
    }
}

extension RequestPipeline {
    /// Verifies the token of a `COGNITO_USER_POOLS` method; its claims become `$context.authorizer.claims`.
    func verifyUserPoolToken(
        _ compiled: CompiledAuthorizer, method: Method, context: RequestContext, snapshot: CompiledSnapshot
    ) -> Result<AuthorizerOutput, AuthorizerRefusal> {
        let log = context.log
        let arns = compiled.authorizer.providerARNs ?? []
        let pools = arns.compactMap { snapshot.userPools[UserPool.id(fromArn: $0)] }
        guard !pools.isEmpty else {
            let reason =
                "none of its user pools (\(arns.map(UserPool.id(fromArn:)).joined(separator: ", "))) is registered (gatehouse userpool add)"
            log?.add("Unauthorized request: \(context.requestId) (\(reason))")
            return .failure(AuthorizerRefusal(failure: .unauthorized, reason: reason))
        }
        let token = compiled.token(in: context.request) ?? ""
        do throws(UserPoolTokens.Refusal) {
            let claims = try UserPoolTokens.verify(token, pools: pools, scopes: method.authorizationScopes ?? [])
            var output = AuthorizerOutput(principalId: nil)
            output.claims = claims
            return .success(output)
        } catch {
            log?.add("Unauthorized request: \(context.requestId) (\(error.reason))")
            return .failure(AuthorizerRefusal(failure: .unauthorized, reason: error.reason))
        }
    }
}
