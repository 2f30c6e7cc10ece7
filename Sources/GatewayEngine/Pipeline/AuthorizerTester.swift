import Foundation
import GatewayModel
import NIOCore
import NIOHTTP1

/// What TestInvokeAuthorizer answers: the status a client would get (200 when the authorizer answered with a
/// policy or verified the token, 401 when it refused, 500 when it failed), its execution log, and what it returned.
public struct TestAuthorizerResult: Sendable {
    public var clientStatus: Int
    public var latencyMillis: Int
    public var log: String
    public var principalId: String?
    public var policy: String?
    public var authorization: [String: [String]]?
    public var claims: [String: String]?
}

extension RequestPipeline {
    /// Runs an authorizer of an API's working copy as the console's "Test authorizer" does: no deployment, no
    /// cache; a Lambda authorizer's function really runs, a user pool token is really verified.
    func testAuthorizer(
        definition: ApiDefinition, authorizer: Authorizer, input: TestInvokeRequest, on eventLoop: EventLoop
    ) -> EventLoopFuture<TestAuthorizerResult> {
        let started = NIODeadline.now()
        let requestId = RequestIds.requestId()
        let log = ExecutionLog()
        let parts = input.pathWithQueryString.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = RequestPath.normalized(parts.first ?? "/")
        let root =
            definition.resources.first { $0.path == "/" } ?? Resource(id: "", parentId: nil, pathPart: nil, path: "/")
        let matched = RouteNode.build(definition.resources).match(path[...])
        let resource = matched?.resource ?? root
        var headers = HTTPHeaders()
        for (name, value) in input.headers { headers.add(name: name, value: value) }
        let request = InvokeRequest(
            method: "GET", path: path, query: parts.count > 1 ? String(parts[1]) : nil, headers: headers,
            body: input.body.map { ByteBuffer(string: $0) }, sourceIP: "test-invoke-source-ip")
        let method =
            resource.resourceMethods["GET"]
            ?? Method(
                httpMethod: "GET",
                authorizationType: authorizer.type == .cognitoUserPools ? .cognitoUserPools : .custom,
                authorizerId: authorizer.id)
        let context = RequestContext(
            requestId: requestId, extendedId: RequestIds.extendedId(), apiId: definition.api.id,
            stageName: "test-invoke-stage", resource: resource, method: method, request: request,
            pathParameters: matched?.parameters ?? [:], rawPathParameters: matched?.raw ?? [:],
            stageVariables: input.stageVariables, binaryMediaTypes: definition.api.binaryMediaTypes, log: log,
            started: started)
        let compiled = CompiledAuthorizer(authorizer)

        @Sendable func result(
            _ status: Int, principal: String? = nil, policy: String? = nil, claims: [String: String]? = nil
        ) -> TestAuthorizerResult {
            TestAuthorizerResult(
                clientStatus: status, latencyMillis: Int((NIODeadline.now() - started).nanoseconds / 1_000_000),
                log: log.text(requestId: requestId), principalId: principal, policy: policy,
                authorization: authorizer.type == .cognitoUserPools ? nil : [:], claims: claims)
        }
        log.add("Starting authorizer: \(authorizer.id) for request: \(requestId)")
        if let refused = Authorization.identityFailure(compiled, request: request) {
            log.add("Unauthorized request: \(requestId) (an identity source is missing or does not match)")
            return eventLoop.makeSucceededFuture(result(refused.status))
        }
        if authorizer.type == .cognitoUserPools {
            let current = snapshot.withLockedValue { $0 }
            switch verifyUserPoolToken(
                compiled, method: Method(httpMethod: "GET"), context: context, snapshot: current)
            {
            case .success(let output):
                log.add("Successfully completed authorizer execution")
                return eventLoop.makeSucceededFuture(
                    result(
                        200,
                        claims: Dictionary(output.claims ?? [], uniquingKeysWith: { first, _ in first })))
            case .failure(let refusal):
                return eventLoop.makeSucceededFuture(result(refusal.failure.status))
            }
        }
        guard let (name, region) = authorizerFunction(authorizer, context) else {
            return eventLoop.makeSucceededFuture(result(500))
        }
        let methodArn = AuthorizerAnswer.methodArn(context, region: region)
        return invokeAuthorizer(compiled, context, function: name, region: region, methodArn: methodArn, on: eventLoop)
            .map { outcome in
                switch outcome {
                case .success(let answer):
                    log.add("Successfully completed authorizer execution")
                    return result(200, principal: answer.output.principalId, policy: answer.policy)
                case .failure(let refusal):
                    return result(refusal.failure.status)
                }
            }
    }
}
