import Foundation
import GatewayModel
import NIOCore

/// Method request validation, as a method's request validator asks for it: required query-string parameters and
/// headers (`validateRequestParameters`, 400 `Missing required request parameters: [...]`) and the body against
/// the model of its content type (`validateRequestBody`, 400 `Invalid request body`).
struct RequestValidation: Sendable {
    let validators: [String: RequestValidator]
    let schemas: JSONSchemaValidator

    init(_ definition: ApiDefinition) {
        validators = Dictionary(
            definition.requestValidators.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        schemas = JSONSchemaValidator(models: definition.models)
    }

    /// Why the request fails its method's validator, with the execution-log line; nil failure when it passes (or
    /// the method has no validator).
    /// `pathParameters` are the ones the request's path bound: a required one it did not bind is missing too.
    func check(_ method: Method, _ request: InvokeRequest, pathParameters: [String: String]) -> (
        failure: GatewayFailure?, log: String?
    ) {
        guard let id = method.requestValidatorId, let validator = validators[id] else { return (nil, nil) }
        if validator.validateRequestParameters {
            var missing: [String] = []
            let query = Set(request.queryItems.map(\.0))
            for (key, required) in method.requestParameters.sorted(by: { $0.key < $1.key }) where required {
                guard let (location, name) = ParameterLocation.parse(methodRequestKey: key) else { continue }
                switch location {
                case .querystring where !query.contains(name): missing.append(name)
                case .header where request.headers.first(name: name) == nil: missing.append(name)
                case .path where (pathParameters[name] ?? "").isEmpty: missing.append(name)
                default: break
                }
            }
            if !missing.isEmpty {
                let failure = GatewayFailure.badRequestParameters(missing: missing)
                return (failure, "Request validation failed: \(failure.message)")
            }
        }
        let contentType =
            request.headers.first(name: "Content-Type")?.split(separator: ";").first
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? "application/json"
        if validator.validateRequestBody, let model = method.requestModels[contentType] {
            let body = Data(request.body.map { Array($0.readableBytesView) } ?? [])
            let trimmed = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let value = trimmed.isEmpty ? JSONValue.object([:]) : JSONValue.parse(body) else {
                return (
                    .badRequestBody,
                    "Request body does not match model schema for content type \(contentType): [the body is not JSON]"
                )
            }
            if let problem = schemas.problem(value, model: model) {
                return (
                    .badRequestBody,
                    "Request body does not match model schema for content type \(contentType): [\(problem)]"
                )
            }
        }
        return (nil, "Request validation succeeded for content type \(contentType)")
    }
}
