import Foundation
import GatewayControl
import GatewayModel
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

@testable import GatewayEngine

/// TOKEN and REQUEST Lambda authorizers run as real Python handlers: their policies evaluated against the
/// method ARN, their answers cached per identity source, their context passed on, their key used for usage plans.
@Suite(.serialized) struct LambdaAuthorizerTests {
    /// Allows `allow*` tokens for GET only, denies `deny`, answers `Unauthorized` for `nobody`, fails for `crash`;
    /// counts its invocations in the context.
    static let source = """
        import os
        calls = 0
        def handler(event, context):
            global calls
            calls += 1
            token = event.get("authorizationToken") or (event.get("headers") or {}).get("X-Token", "")
            if token == "nobody":
                raise Exception("Unauthorized")
            if token == "crash":
                raise Exception("boom")
            arn = event["methodArn"]
            base = arn.split("/")[0]
            effect = "Deny" if token == "deny" else "Allow"
            resource = base + "/*/GET/*" if token.startswith("allow") else arn
            return {"principalId": "user-" + token, "usageIdentifierKey": "plankeyvalue0123456789",
                    "policyDocument": {"Version": "2012-10-17",
                        "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]},
                    "context": {"calls": calls, "type": event["type"], "ok": True}}
        """

    /// A stage with `GET /items/{id}` and `POST /items/{id}` (MOCK, answering `$context.authorizer`) behind an
    /// authorizer of `type`.
    func serve(
        type: AuthorizerType, ttl: Int? = nil, keySource: ApiKeySource = .header,
        _ body: (GatewayControl, GatewayEngine, RestApi, TestClient) async throws -> Void
    ) async throws {
        let control = try GatewayControl(location: ":memory:")
        let engine = control.makeEngine(threads: 1)
        let code = try LambdaTests.code(["app.py": LambdaAuthorizerTests.source])
        try await withCleanup({
            try? await engine.stop()
            try? FileManager.default.removeItem(at: code)
        }) {
            try await control.attach(engine)
            let port = try await engine.start(port: 0)
            try await control.addFunction(
                LambdaFunction(
                    name: "auth", kind: .process, runtime: "python3", handler: "app.handler", code: code.path))
            let api = try await control.createRestApi(name: "guarded", apiKeySource: keySource)
            let authorizer = try await control.createAuthorizer(
                api: api.id,
                Authorizer(
                    id: "", name: "gate", type: type, authorizerUri: LambdaTests.uri("auth"),
                    identitySource: type == .token
                        ? "method.request.header.Authorization" : "method.request.header.X-Token",
                    authorizerResultTtlInSeconds: ttl))
            let resource = try await control.ensureResource(api: api.id, path: "/items/{id}")
            for verb in ["GET", "POST"] {
                _ = try await control.putMethod(
                    api: api.id, resource: resource.id, httpMethod: verb, authorizationType: .custom,
                    apiKeyRequired: keySource == .authorizer, authorizerId: authorizer.id)
                _ = try await control.putIntegration(
                    api: api.id, resource: resource.id, httpMethod: verb,
                    integration: Integration(
                        type: .mock, requestTemplates: ["application/json": "{\"statusCode\": 200}"],
                        integrationResponses: [
                            "200": IntegrationResponse(
                                statusCode: "200",
                                responseTemplates: [
                                    "application/json":
                                        "$context.authorizer.principalId $context.authorizer.calls $context.authorizer.type $!context.identity.apiKeyId"
                                ])
                        ]))
                _ = try await control.putIntegrationResponse(
                    api: api.id, resource: resource.id, httpMethod: verb,
                    response: IntegrationResponse(
                        statusCode: "200",
                        responseTemplates: [
                            "application/json":
                                "$context.authorizer.principalId $context.authorizer.calls $context.authorizer.type $!context.identity.apiKeyId"
                        ]))
            }
            _ = try await control.createDeployment(api: api.id, stageName: "test")
            try await body(control, engine, api, TestClient(port: port))
        }
    }

    @Test func aTokenAuthorizerAllowsDeniesAndCachesItsPolicy() async throws {
        try await serve(type: .token) { control, _, api, client in
            let base = "/restapis/\(api.id)/test/_user_request_/items/1"
            let missing = try await client.send(.GET, base)
            #expect(missing.status == 401)
            #expect(missing.body == "{\"message\":\"Unauthorized\"}")
            let allowed = try await client.send(.GET, base, headers: ["Authorization": "allow-1"])
            #expect(allowed.status == 200)
            #expect(allowed.body == "user-allow-1 1 TOKEN ", "\(allowed.body)")
            // The same token again: the cached policy, no second call.
            let again = try await client.send(
                .GET, "/restapis/\(api.id)/test/_user_request_/items/2", headers: ["Authorization": "allow-1"])
            #expect(again.body == "user-allow-1 1 TOKEN ")
            // The cached policy allows GET only: POST is refused without a new call.
            let post = try await client.send(.POST, base, headers: ["Authorization": "allow-1"])
            #expect(post.status == 403)
            #expect(post.body == "{\"Message\":\"User is not authorized to access this resource\"}")
            let denied = try await client.send(.GET, base, headers: ["Authorization": "deny"])
            #expect(denied.status == 403)
            #expect(
                denied.body == "{\"Message\":\"User is not authorized to access this resource with an explicit deny\"}")
            let nobody = try await client.send(.GET, base, headers: ["Authorization": "nobody"])
            #expect(nobody.status == 401)
            let crash = try await client.send(.GET, base, headers: ["Authorization": "crash"])
            #expect(crash.status == 500)
            #expect(crash.headers.first(name: "x-amzn-ErrorType") == "AuthorizerConfigurationException")
            // Flushing the stage's authorizer cache makes the next request call the function again.
            try await control.flushStageAuthorizersCache(api: api.id, stage: "test")
            let fresh = try await client.send(.GET, base, headers: ["Authorization": "allow-1"])
            #expect(fresh.body.hasPrefix("user-allow-1 ") && !fresh.body.hasPrefix("user-allow-1 1 "), "\(fresh.body)")
        }
    }

    @Test func aRequestAuthorizerWithoutCachingRunsEachTime() async throws {
        try await serve(type: .request, ttl: 0) { _, _, api, client in
            let base = "/restapis/\(api.id)/test/_user_request_/items/1"
            #expect(try await client.send(.GET, base).status == 401)
            let first = try await client.send(.GET, base, headers: ["X-Token": "allow-r"])
            let second = try await client.send(.GET, base, headers: ["X-Token": "allow-r"])
            #expect(first.body == "user-allow-r 1 REQUEST ", "\(first.body)")
            #expect(second.body == "user-allow-r 2 REQUEST ")
        }
    }

    @Test func theAuthorizersKeyCountsForItsUsagePlan() async throws {
        try await serve(type: .token, keySource: .authorizer) { control, _, api, client in
            let base = "/restapis/\(api.id)/test/_user_request_/items/1"
            // No key has the value the authorizer names yet: 403.
            let unknown = try await client.send(.GET, base, headers: ["Authorization": "allow-k"])
            #expect(unknown.status == 403)
            let key = try await control.createApiKey(name: "k", value: "plankeyvalue0123456789", enabled: true)
            let plan = try await control.createUsagePlan(
                name: "p", apiStages: [ApiStage(apiId: api.id, stage: "test")],
                throttle: ThrottleSettings(burstLimit: 1, rateLimit: 0.001))
            _ = try await control.createUsagePlanKey(plan: plan.id, key: key.id)
            let admitted = try await client.send(.GET, base, headers: ["Authorization": "allow-k"])
            #expect(admitted.status == 200, "\(admitted.body)")
            #expect(admitted.body.hasSuffix(" \(key.id)"), "\(admitted.body)")
            // The plan's burst of one is spent: the next request with the same authorizer key is throttled.
            let throttled = try await client.send(.GET, base, headers: ["Authorization": "allow-k"])
            #expect(throttled.status == 429)
        }
    }

    @Test func policiesAreEvaluatedAsIAMEvaluatesThem() {
        let arn = "arn:aws:execute-api:us-east-1:123456789012:abc/test/GET/items/1"
        func answer(_ statements: [(Bool, String)]) -> AuthorizerAnswer {
            AuthorizerAnswer(
                statements: statements.map { .init(allow: $0.0, actions: ["execute-api:Invoke"], resources: [$0.1]) },
                output: AuthorizerOutput())
        }
        #expect(answer([(true, "arn:aws:execute-api:us-east-1:123456789012:abc/*")]).decision(methodArn: arn) == .allow)
        #expect(
            answer([(true, "arn:aws:execute-api:us-east-1:123456789012:abc/test/GE?/items/*")]).decision(methodArn: arn)
                == .allow)
        #expect(
            answer([(true, "arn:aws:execute-api:us-east-1:123456789012:abc/test/POST/*")]).decision(methodArn: arn)
                == .implicitDeny)
        #expect(
            answer([(true, "*"), (false, "arn:aws:execute-api:*:*:abc/*/GET/*")]).decision(methodArn: arn)
                == .explicitDeny)
        #expect(AuthorizerAnswer.glob("a*b*c", matches: "aXXbYYc"))
        #expect(!AuthorizerAnswer.glob("a*b", matches: "aXXc"))
    }
}
