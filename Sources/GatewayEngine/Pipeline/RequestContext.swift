import Foundation
import GatewayModel
import NIOCore
import NIOHTTP1

/// One request on its way through the pipeline.
// Immutable but for its log, limits and cache key, which the one event loop serving the request writes.
final class RequestContext: @unchecked Sendable {
    let requestId: String
    let extendedId: String
    let apiId: String
    let stageName: String
    let resource: Resource
    let method: Method
    let request: InvokeRequest
    let pathParameters: [String: String]
    /// The path parameters as the client sent them (percent-encoded), for forwarding.
    let rawPathParameters: [String: String]
    let stageVariables: [String: String]
    /// The API's `binaryMediaTypes`: request and response bodies of these types are binary.
    let binaryMediaTypes: [String]
    let log: ExecutionLog?
    let started: NIODeadline
    /// The trace id sent to the backend and returned to the client.
    /// Made on first use: requests refused before the integration need none.
    lazy var traceId = RequestIds.traceId()
    /// The limits the request was held to (kept only when the engine records request details).
    var limits: [String] = []
    /// The cache key looked up, when the method is cached.
    var cacheKey: String?
    /// The API key the request was admitted with, and its id.
    var apiKey: String?
    var apiKeyId: String?
    /// What a Lambda authorizer returned for the request: `$context.authorizer.*`.
    var authorizer: AuthorizerOutput?
    /// The access key of an `AWS_IAM` method's verified signature.
    var accessKey: String?
    /// `$context.isCanaryRequest`: whether the stage's canary serves the request; nil when the stage has none.
    var isCanaryRequest: Bool?

    init(
        requestId: String, extendedId: String, apiId: String, stageName: String, resource: Resource, method: Method,
        request: InvokeRequest, pathParameters: [String: String], rawPathParameters: [String: String] = [:],
        stageVariables: [String: String], binaryMediaTypes: [String] = [], log: ExecutionLog?,
        started: NIODeadline
    ) {
        self.binaryMediaTypes = binaryMediaTypes
        self.requestId = requestId
        self.extendedId = extendedId
        self.apiId = apiId
        self.stageName = stageName
        self.resource = resource
        self.method = method
        self.request = request
        self.pathParameters = pathParameters
        self.rawPathParameters = rawPathParameters
        self.stageVariables = stageVariables
        self.log = log
        self.started = started
    }

    /// The value of a mapping source: `method.request.path.id`, `'literal'`, `stageVariables.x`, `context.requestId`.
    func values(of expression: String) -> [String]? {
        if expression.hasPrefix("'") && expression.hasSuffix("'") && expression.count >= 2 {
            return [String(expression.dropFirst().dropLast())]
        }
        let parts = expression.split(separator: ".", maxSplits: 3).map(String.init)
        if parts.count == 2 && parts[0] == "stageVariables" { return stageVariables[parts[1]].map { [$0] } }
        if parts.first == "context" {
            switch expression.dropFirst("context.".count) {
            case "requestId": return [requestId]
            case "extendedRequestId": return [extendedId]
            case "apiId": return [apiId]
            case "stage": return [stageName]
            case "resourceId": return [resource.id]
            case "resourcePath": return [resource.path]
            case "httpMethod": return [request.method]
            case "identity.sourceIp": return [request.sourceIP]
            default: return nil
            }
        }
        guard parts.count == 4, parts[0] == "method", parts[1] == "request" else { return nil }
        let name = parts[3]
        switch parts[2] {
        case "path": return pathParameters[name].map { [$0] }
        case "querystring": return request.queryItems.first { $0.0 == name }.map { [$0.1] }
        case "multivaluequerystring":
            let all = request.queryItems.filter { $0.0 == name }.map(\.1)
            return all.isEmpty ? nil : all
        case "header": return request.headers.first(name: name).map { [$0] }
        case "multivalueheader":
            let all = request.headers[name]
            return all.isEmpty ? nil : all
        default: return nil
        }
    }

    /// The value a mapping source puts into a backend path, encoded: a method path parameter as the client sent
    /// it (each segment re-encoded), anything else as one segment.
    func pathValue(of expression: String) -> String? {
        let prefix = "method.request.path."
        if expression.hasPrefix(prefix), let raw = rawPathParameters[String(expression.dropFirst(prefix.count))] {
            return RequestPath.forwardRaw(raw)
        }
        return values(of: expression)?.first.map(RequestPath.forwardValue)
    }

    /// `text` with every `${stageVariables.name}` replaced.
    func substitutingStageVariables(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "$")), text.contains("${stageVariables.") else { return text }
        var result = text
        for (name, value) in stageVariables {
            result = result.replacingOccurrences(of: "${stageVariables.\(name)}", with: value)
        }
        return result
    }
}
