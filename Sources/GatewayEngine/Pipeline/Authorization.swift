import Foundation
import GatewayModel
import NIOHTTP1

/// An authorizer ready for requests: its identity sources and its compiled validation expression.
struct CompiledAuthorizer: Sendable {
    let authorizer: Authorizer
    let headers: [String]
    let queryParameters: [String]
    let validation: NSRegularExpression?

    init(_ authorizer: Authorizer) {
        self.authorizer = authorizer
        headers = authorizer.identityHeaders
        queryParameters = authorizer.identityQueryParameters
        validation =
            authorizer.type == .token
            ? authorizer.identityValidationExpression.flatMap { try? NSRegularExpression(pattern: "^(?:\($0))$") } : nil
    }

    /// The token a TOKEN or user pool authorizer takes: the first identity-source header of the request.
    func token(in request: InvokeRequest) -> String? {
        headers.first.flatMap { request.headers.first(name: $0) }
    }
}

/// The checks of a method's authorization that come before any authorizer runs: `AWS_IAM` needs a SigV4 signature
/// made with a configured access key; `CUSTOM` and `COGNITO_USER_POOLS` need the authorizer's identity sources (and
/// a TOKEN that matches its validation expression). The Lambda authorizer's policy and the user pool's token are
/// checked after these (`authorize`, `verifyUserPoolToken`).
enum Authorization {
    static func failure(
        for method: Method, stage: CompiledStage, request: InvokeRequest, credentials: [SigV4.Credentials]
    ) -> GatewayFailure? {
        switch method.authorizationType {
        case .none:
            return nil
        case .awsIam:
            guard let header = request.headers.first(name: "Authorization") else { return .missingAuthenticationToken }
            guard header.hasPrefix("AWS4-HMAC-SHA256 "), let path = request.signedPath else {
                return .incompleteSignature
            }
            do throws(SigV4.Problem) {
                try SigV4.check(request, path: path, credentials: credentials)
                return nil
            } catch {
                return .signature(error)
            }
        case .custom, .cognitoUserPools:
            guard let id = method.authorizerId, let compiled = stage.authorizers[id] else {
                return .authorizerConfigurationError
            }
            return identityFailure(compiled, request: request)
        }
    }

    /// 401 when an identity source is missing or empty, or a TOKEN does not match the validation expression.
    static func identityFailure(_ compiled: CompiledAuthorizer, request: InvokeRequest) -> GatewayFailure? {
        var token: String?
        for name in compiled.headers {
            guard let value = request.headers.first(name: name), !value.isEmpty else { return .unauthorized }
            token = token ?? value
        }
        if !compiled.queryParameters.isEmpty {
            let present = Set(request.queryItems.filter { !$0.1.isEmpty }.map(\.0))
            if compiled.queryParameters.contains(where: { !present.contains($0) }) { return .unauthorized }
        }
        if let validation = compiled.validation, let token {
            let range = NSRange(token.startIndex..., in: token)
            if validation.firstMatch(in: token, range: range) == nil { return .unauthorized }
        }
        return nil
    }
}
