import Crypto
import Foundation
import GatewayControl
import GatewayModel
import NIOCore
import NIOHTTP1
import TestSupport
import Testing
import _CryptoExtras

@testable import GatewayEngine

/// `COGNITO_USER_POOLS` authorizers: RS256 tokens verified against the key set of a registered pool, issuer and
/// expiry checked, ID tokens for methods without scopes and access tokens with a granted scope for methods with
/// them, the claims passed on as `$context.authorizer.claims`.
@Suite(.serialized) struct UserPoolAuthorizerTests {
    static let poolId = "us-east-1_TestPool1"
    static let issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1"

    /// A signing key and its JWK.
    struct SigningKey {
        let kid: String
        let key: _RSA.Signing.PrivateKey

        init(kid: String) throws {
            self.kid = kid
            key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        }

        var jwk: String {
            let primitives = try! key.publicKey.getKeyPrimitives()
            return
                #"{"alg":"RS256","e":"\#(base64URL(primitives.publicExponent))","kid":"\#(kid)","kty":"RSA","n":"\#(base64URL(primitives.modulus))","use":"sig"}"#
        }

        /// A JWT of `claims`, signed (or, with `signer`, signed by another key under this one's kid).
        func token(_ claims: [String: Any], signer: SigningKey? = nil) throws -> String {
            let header = base64URL(Data(#"{"kid":"\#(kid)","alg":"RS256"}"#.utf8))
            let payload = base64URL(try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys]))
            let signed = "\(header).\(payload)"
            let signature = try (signer ?? self).key.signature(
                for: SHA256.hash(data: Data(signed.utf8)), padding: .insecurePKCS1v1_5)
            return signed + "." + base64URL(signature.rawRepresentation)
        }
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func claims(use: String, scope: String? = nil, expiresIn: TimeInterval = 3600, issuer: String = issuer)
        -> [String: Any]
    {
        let now = Date().timeIntervalSince1970
        var claims: [String: Any] = [
            "sub": "5f1c2a3b-user", "iss": issuer, "token_use": use, "exp": Int(now + expiresIn),
            "iat": Int(now - 60), "auth_time": Int(now - 60), "cognito:groups": ["admins", "staff"],
        ]
        if use == "id" {
            claims["email"] = "ana@example.com"
            claims["aud"] = "client123"
        }
        if let scope { claims["scope"] = scope }
        return claims
    }

    /// `GET /me` (no scopes) and `GET /pets` (scope `pets/read`), MOCK answering the claims.
    func serve(_ body: (GatewayControl, TestClient, SigningKey, String) async throws -> Void) async throws {
        let control = try GatewayControl(location: ":memory:")
        let engine = control.makeEngine(threads: 1)
        try await withCleanup({ try? await engine.stop() }) {
            try await control.attach(engine)
            let port = try await engine.start(port: 0)
            let key = try SigningKey(kid: "k1")
            try await control.addUserPool(
                UserPool(id: Self.poolId, jwks: #"{"keys": [\#(key.jwk)]}"#, source: "test"))
            let api = try await control.createRestApi(name: "pooled")
            let authorizer = try await control.createAuthorizer(
                api: api.id,
                Authorizer(
                    id: "", name: "pool", type: .cognitoUserPools,
                    providerARNs: ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/\(Self.poolId)"],
                    identitySource: "method.request.header.Authorization"))
            for (path, scopes) in [("/me", nil), ("/pets", ["pets/read", "pets/admin"])] as [(String, [String]?)] {
                let resource = try await control.ensureResource(api: api.id, path: path)
                _ = try await control.putMethod(
                    api: api.id, resource: resource.id, httpMethod: "GET", authorizationType: .cognitoUserPools,
                    authorizerId: authorizer.id, authorizationScopes: scopes)
                let template =
                    "$context.authorizer.claims.sub|$context.authorizer.claims.email|$context.authorizer.claims['cognito:groups']|$context.authorizer.claims.exp"
                _ = try await control.putIntegration(
                    api: api.id, resource: resource.id, httpMethod: "GET",
                    integration: Integration(
                        type: .mock, requestTemplates: ["application/json": "{\"statusCode\": 200}"]))
                _ = try await control.putIntegrationResponse(
                    api: api.id, resource: resource.id, httpMethod: "GET",
                    response: IntegrationResponse(
                        statusCode: "200", responseTemplates: ["application/json": template]))
            }
            _ = try await control.createDeployment(api: api.id, stageName: "test")
            try await body(control, TestClient(port: port), key, "/restapis/\(api.id)/test/_user_request_")
        }
    }

    @Test func anIDTokenOfThePoolIsAcceptedAndItsClaimsPassedOn() async throws {
        try await serve { _, client, key, base in
            let token = try key.token(Self.claims(use: "id"))
            let answer = try await client.send(.GET, base + "/me", headers: ["Authorization": token])
            #expect(answer.status == 200, "\(answer.body)")
            let parts = answer.body.split(separator: "|").map(String.init)
            #expect(parts.prefix(3) == ["5f1c2a3b-user", "ana@example.com", "[admins, staff]"])
            // exp as Java writes a date: `Wed Dec 02 08:00:00 UTC 2026`.
            #expect(
                parts.last?.hasSuffix(" UTC \(Calendar(identifier: .gregorian).component(.year, from: Date()))") == true
            )
            #expect(try await client.send(.GET, base + "/me").status == 401)
        }
    }

    @Test func testInvokeAuthorizerVerifiesTheTokenAndGivesItsClaims() async throws {
        try await serve { control, _, key, base in
            let apiId = String(base.split(separator: "/")[1])
            let authorizer = try #require(try control.authorizers(api: apiId).first)
            let token = try key.token(Self.claims(use: "id"))
            let tested = try await control.testInvokeAuthorizer(
                api: apiId, id: authorizer.id, input: TestInvokeRequest(headers: [("Authorization", token)]))
            #expect(tested.clientStatus == 200, "\(tested.log)")
            #expect(tested.claims?["sub"] == "5f1c2a3b-user")
            #expect(tested.claims?["email"] == "ana@example.com")
            let refused = try await control.testInvokeAuthorizer(
                api: apiId, id: authorizer.id, input: TestInvokeRequest(headers: [("Authorization", "x.y.z")]))
            #expect(refused.clientStatus == 401)
            #expect(refused.log.contains("Unauthorized request"))
        }
    }

    @Test func forgedExpiredForeignAndWrongKindsOfTokensAre401() async throws {
        try await serve { _, client, key, base in
            func status(_ path: String, _ token: String) async throws -> (Int, String) {
                let answer = try await client.send(.GET, base + path, headers: ["Authorization": token])
                return (answer.status, answer.body)
            }
            let good = try key.token(Self.claims(use: "id"))
            var parts = good.split(separator: ".").map(String.init)
            var tampered = Self.claims(use: "id")
            tampered["sub"] = "someone-else"
            parts[1] = Self.base64URL(try JSONSerialization.data(withJSONObject: tampered, options: [.sortedKeys]))
            let unauthorized = (401, "{\"message\":\"Unauthorized\"}")
            #expect(try await status("/me", parts.joined(separator: ".")) == unauthorized, "payload changed")
            let stranger = try SigningKey(kid: "k1")
            #expect(try await status("/me", try key.token(Self.claims(use: "id"), signer: stranger)) == unauthorized)
            #expect(try await status("/me", try key.token(Self.claims(use: "id", expiresIn: -5))) == unauthorized)
            #expect(
                try await status(
                    "/me",
                    try key.token(Self.claims(use: "id", issuer: "https://cognito-idp.us-east-1.amazonaws.com/x"))
                ) == unauthorized)
            #expect(
                try await status("/me", try key.token(Self.claims(use: "access", scope: "pets/read"))) == unauthorized)
            #expect(try await status("/me", "not-a-jwt") == unauthorized)
            #expect(try await status("/me", "Bearer " + good) == unauthorized, "the raw token, as API Gateway takes it")
            #expect(try await status("/me", good).0 == 200)
        }
    }

    @Test func scopedMethodsTakeAccessTokensWithOneOfTheirScopes() async throws {
        try await serve { _, client, key, base in
            func status(_ use: String, _ scope: String? = nil) async throws -> Int {
                let token = try key.token(Self.claims(use: use, scope: scope))
                return try await client.send(.GET, base + "/pets", headers: ["Authorization": token]).status
            }
            var statuses: [Int] = []
            for (use, scope) in [
                ("access", "openid pets/read"), ("access", "pets/admin"), ("access", "pets/write"), ("access", nil),
                ("id", nil),
            ] as [(String, String?)] {
                statuses.append(try await status(use, scope))
            }
            // The last: an ID token where scopes are set.
            #expect(statuses == [200, 200, 401, 401, 401])
        }
    }

    @Test func aRotatedKeyIsTakenOnceThePoolIsAddedAgain() async throws {
        try await serve { control, client, key, base in
            let next = try SigningKey(kid: "k2")
            let token = try next.token(Self.claims(use: "id"))
            #expect(try await client.send(.GET, base + "/me", headers: ["Authorization": token]).status == 401)
            try await control.addUserPool(
                UserPool(id: Self.poolId, jwks: #"{"keys": [\#(key.jwk), \#(next.jwk)]}"#, source: "test"),
                replace: true)
            #expect(try await client.send(.GET, base + "/me", headers: ["Authorization": token]).status == 200)
            try await control.removeUserPool(Self.poolId)
            #expect(try await client.send(.GET, base + "/me", headers: ["Authorization": token]).status == 401)
        }
    }

    @Test func whyATokenIsRefusedIsSaid() throws {
        let key = try SigningKey(kid: "k1")
        let pool = try #require(
            CompiledUserPool(UserPool(id: Self.poolId, jwks: #"{"keys": [\#(key.jwk)]}"#, source: "test")))
        func reason(_ token: String, scopes: [String] = []) -> String? {
            do {
                _ = try UserPoolTokens.verify(token, pools: [pool], scopes: scopes)
                return nil
            } catch { return error.reason }
        }
        let valid = try key.token(Self.claims(use: "id"))
        let expired = try key.token(Self.claims(use: "id", expiresIn: -5))
        let narrow = try key.token(Self.claims(use: "access", scope: "a"))
        let access = try key.token(Self.claims(use: "access"))
        #expect(reason(valid) == nil)
        #expect(reason(expired)?.hasPrefix("the token expired at ") == true)
        #expect(reason(narrow, scopes: ["b"]) == "the token's scopes (a) hold none of b")
        #expect(
            reason(access)
                == "the method has no authorization scopes, so it takes an ID token, and this is an access token")
        #expect(
            throws: UserPool.InvalidKeySet.self, "a key set without keys",
            performing: { try UserPool.keys(fromJWKS: #"{"keys": []}"#) })
        #expect(UserPoolTokens.javaDate(1_764_658_800) == "Tue Dec 02 07:00:00 UTC 2025")
    }
}
