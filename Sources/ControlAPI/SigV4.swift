import Crypto
import Foundation
import GatewayEngine
import NIOFoundationCompat

/// AWS Signature Version 4 as API Gateway's control API checks it: the region comes from the credential scope of
/// the `Authorization` header, and with `--require-signature` the signature must match one made with the
/// configured secret.
public enum SigV4 {
    /// The access key id and secret signatures are checked against.
    public struct Credentials: Sendable {
        public var accessKeyId: String
        public var secretAccessKey: String

        public init(accessKeyId: String, secretAccessKey: String) {
            self.accessKeyId = accessKeyId
            self.secretAccessKey = secretAccessKey
        }
    }

    struct Authorization {
        var accessKeyId: String
        var date: String
        var region: String
        var service: String
        var signedHeaders: [String]
        var signature: String

        /// `AWS4-HMAC-SHA256 Credential=AKID/20261127/us-east-1/apigateway/aws4_request, SignedHeaders=…, Signature=…`.
        init?(_ header: String) {
            guard header.hasPrefix("AWS4-HMAC-SHA256 ") else { return nil }
            var fields: [String: String] = [:]
            for part in header.dropFirst("AWS4-HMAC-SHA256 ".count).split(separator: ",") {
                let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if pair.count == 2 { fields[String(pair[0])] = String(pair[1]) }
            }
            guard let credential = fields["Credential"]?.split(separator: "/").map(String.init), credential.count == 5,
                let signed = fields["SignedHeaders"], let signature = fields["Signature"]
            else { return nil }
            accessKeyId = credential[0]
            date = credential[1]
            region = credential[2]
            service = credential[3]
            signedHeaders = signed.split(separator: ";").map(String.init)
            self.signature = signature
        }
    }

    /// The region of the credential scope, when the request is signed.
    static func region(authorization: String?) -> String? {
        authorization.flatMap(Authorization.init)?.region
    }

    /// Why the request's signature is not good (AWS's error type and message), or nil when it is.
    static func problem(with request: InvokeRequest, credentials: Credentials) -> (type: String, message: String)? {
        guard let header = request.headers.first(name: "Authorization") else {
            return ("MissingAuthenticationTokenException", "Missing Authentication Token")
        }
        guard let authorization = Authorization(header) else {
            return (
                "IncompleteSignatureException",
                "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters"
            )
        }
        guard authorization.accessKeyId == credentials.accessKeyId else {
            return ("UnrecognizedClientException", "The security token included in the request is invalid.")
        }
        guard let amzDate = request.headers.first(name: "X-Amz-Date") else {
            return (
                "IncompleteSignatureException",
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
            )
        }
        let expected = signature(
            request, authorization: authorization, amzDate: amzDate, secret: credentials.secretAccessKey)
        guard expected == authorization.signature else {
            return (
                "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
            )
        }
        return nil
    }

    static func signature(_ request: InvokeRequest, authorization: Authorization, amzDate: String, secret: String)
        -> String
    {
        let canonicalHeaders = authorization.signedHeaders.map { name in
            let values = request.headers[name].map { $0.trimmingCharacters(in: .whitespaces) }
            return name + ":" + values.joined(separator: ",") + "\n"
        }.joined()
        let payloadHash =
            request.headers.first(name: "X-Amz-Content-Sha256")
            ?? hex(SHA256.hash(data: request.body.map { Data(buffer: $0) } ?? Data()))
        let canonical = [
            request.method, encode(request.path, keepSlash: true), canonicalQuery(request.query ?? ""),
            canonicalHeaders, authorization.signedHeaders.joined(separator: ";"), payloadHash,
        ].joined(separator: "\n")
        let scope = [authorization.date, authorization.region, authorization.service, "aws4_request"].joined(
            separator: "/")
        let stringToSign = [
            "AWS4-HMAC-SHA256", amzDate, scope, hex(SHA256.hash(data: Data(canonical.utf8))),
        ].joined(separator: "\n")
        var key = SymmetricKey(data: Data(("AWS4" + secret).utf8))
        for part in [authorization.date, authorization.region, authorization.service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
    }

    /// The query string sorted by name then value, each part percent-encoded as SigV4 wants.
    static func canonicalQuery(_ query: String) -> String {
        query.split(separator: "&", omittingEmptySubsequences: true).map { pair -> (String, String) in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            return (encode(name, keepSlash: false), encode(value, keepSlash: false))
        }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// RFC 3986 unreserved characters stay; everything else becomes `%XX` (so `%2F` in a path becomes `%252F`).
    static func encode(_ text: String, keepSlash: Bool) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                result.append(Character(UnicodeScalar(byte)))
            case UInt8(ascii: "/") where keepSlash: result.append("/")
            default: result += String(format: "%%%02X", byte)
            }
        }
        return result
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
