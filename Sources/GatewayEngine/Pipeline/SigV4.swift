import Crypto
import Foundation
import NIOCore
import NIOFoundationCompat

/// AWS Signature Version 4 as API Gateway checks it, both on its control API (with `--require-signature`) and on
/// methods whose authorization is `AWS_IAM`: the signature must match one made with the secret of a configured
/// access key, over the request as it was sent, within five minutes of the gateway's clock.
public enum SigV4 {
    /// An access key id and the secret signatures made with it are checked against.
    public struct Credentials: Sendable, Equatable {
        public var accessKeyId: String
        public var secretAccessKey: String

        public init(accessKeyId: String, secretAccessKey: String) {
            self.accessKeyId = accessKeyId
            self.secretAccessKey = secretAccessKey
        }

        /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` from the environment, else `test`/`test` (what local AWS
        /// tools use).
        public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
            -> Credentials
        {
            Credentials(
                accessKeyId: environment["AWS_ACCESS_KEY_ID"] ?? "test",
                secretAccessKey: environment["AWS_SECRET_ACCESS_KEY"] ?? "test")
        }
    }

    /// Why a signature is not good: AWS's error type and message.
    public struct Problem: Error, Sendable, Equatable {
        public var type: String
        public var message: String
    }

    struct Authorization {
        var accessKeyId: String
        var date: String
        var region: String
        var service: String
        var signedHeaders: [String]
        var signature: String

        init(
            accessKeyId: String, date: String, region: String, service: String, signedHeaders: [String],
            signature: String
        ) {
            self.accessKeyId = accessKeyId
            self.date = date
            self.region = region
            self.service = service
            self.signedHeaders = signedHeaders
            self.signature = signature
        }

        /// The header it is read from.
        var header: String {
            "AWS4-HMAC-SHA256 Credential=\(accessKeyId)/\(date)/\(region)/\(service)/aws4_request, "
                + "SignedHeaders=\(signedHeaders.joined(separator: ";")), Signature=\(signature)"
        }

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
    public static func region(authorization: String?) -> String? {
        authorization.flatMap(Authorization.init)?.region
    }

    /// The access key id of a signed request's credential scope.
    public static func accessKeyId(authorization: String?) -> String? {
        authorization.flatMap(Authorization.init)?.accessKeyId
    }

    /// How far a request's `X-Amz-Date` may be from the gateway's clock.
    static let allowedSkew: TimeInterval = 300

    /// Checks a request's signature. `path` is the path as the client sent it (still percent-encoded), before
    /// any stage or base path was taken off.
    public static func check(
        _ request: InvokeRequest, path: String, credentials: [Credentials], now: Date = Date()
    ) throws(Problem) {
        guard let header = request.headers.first(name: "Authorization") else {
            throw Problem(type: "MissingAuthenticationTokenException", message: "Missing Authentication Token")
        }
        guard let authorization = Authorization(header) else {
            throw Problem(
                type: "IncompleteSignatureException",
                message: "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters")
        }
        guard let known = credentials.first(where: { $0.accessKeyId == authorization.accessKeyId }) else {
            throw Problem(
                type: "UnrecognizedClientException", message: "The security token included in the request is invalid.")
        }
        guard let amzDate = request.headers.first(name: "X-Amz-Date") else {
            throw Problem(
                type: "IncompleteSignatureException",
                message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
        }
        guard let signedAt = parseDate(amzDate) else {
            throw Problem(
                type: "IncompleteSignatureException",
                message:
                    "Date must be in ISO-8601 'basic format'. Got '\(amzDate)'. See http://en.wikipedia.org/wiki/ISO_8601"
            )
        }
        if signedAt < now.addingTimeInterval(-allowedSkew) {
            throw Problem(
                type: "InvalidSignatureException",
                message:
                    "Signature expired: \(amzDate) is now earlier than \(format(now.addingTimeInterval(-allowedSkew))) (\(format(now)) - 5 min.)"
            )
        }
        if signedAt > now.addingTimeInterval(allowedSkew) {
            throw Problem(
                type: "InvalidSignatureException",
                message:
                    "Signature not yet current: \(amzDate) is still later than \(format(now.addingTimeInterval(allowedSkew))) (\(format(now)) + 5 min.)"
            )
        }
        let (expected, canonical, stringToSign) = signature(
            request, path: path, authorization: authorization, amzDate: amzDate, secret: known.secretAccessKey)
        guard RequestPipeline.constantTimeEqual(expected, authorization.signature) else {
            throw Problem(
                type: "InvalidSignatureException",
                message:
                    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'\(canonical)'\n\nThe String-to-Sign should have been\n'\(stringToSign)'\n"
            )
        }
    }

    /// Signs a request Gatehouse sends (`X-Amz-Date` and `Authorization` added), as API Gateway signs its calls to
    /// AWS services: endpoints that stand in for Lambda (moto, LocalStack) tell the service by the credential scope.
    static func sign(
        _ request: inout InvokeRequest, credentials: Credentials, region: String, service: String, now: Date = Date()
    ) {
        let amzDate = format(now)
        request.headers.replaceOrAdd(name: "X-Amz-Date", value: amzDate)
        var authorization = Authorization(
            accessKeyId: credentials.accessKeyId, date: String(amzDate.prefix(8)), region: region, service: service,
            signedHeaders: ["host", "x-amz-date"].filter { request.headers.contains(name: $0) }, signature: "")
        authorization.signature =
            signature(
                request, path: request.path, authorization: authorization, amzDate: amzDate,
                secret: credentials.secretAccessKey
            ).signature
        request.headers.replaceOrAdd(name: "Authorization", value: authorization.header)
    }

    /// The signature of a request, with the canonical request and the string to sign it was made from.
    static func signature(
        _ request: InvokeRequest, path: String, authorization: Authorization, amzDate: String, secret: String
    ) -> (signature: String, canonical: String, stringToSign: String) {
        let canonicalHeaders = authorization.signedHeaders.map { name in
            let values = request.headers[name].map { $0.trimmingCharacters(in: .whitespaces) }
            return name + ":" + values.joined(separator: ",") + "\n"
        }.joined()
        let payloadHash =
            request.headers.first(name: "X-Amz-Content-Sha256")
            ?? hex(SHA256.hash(data: request.body.map { Data(buffer: $0) } ?? Data()))
        let canonical = [
            request.method, encode(path, keepSlash: true), canonicalQuery(request.query ?? ""),
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
        let signature = hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        return (signature, canonical, stringToSign)
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
        let digits = Array("0123456789ABCDEF".utf8)
        var result: [UInt8] = []
        result.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                result.append(byte)
            case UInt8(ascii: "/") where keepSlash: result.append(byte)
            default: result += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]]
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var result: [UInt8] = []
        for byte in digest { result += [digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]] }
        return String(decoding: result, as: UTF8.self)
    }

    /// `20261202T070000Z`.
    static func parseDate(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
            let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        let days = CivilDate.days(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + Int64(hour * 3600 + minute * 60 + second)))
    }

    /// A date as `X-Amz-Date` writes it.
    static func format(_ date: Date) -> String {
        let time = CivilDate.Time(date)
        return "\(time.year)\(CivilDate.two(time.month))\(CivilDate.two(time.day))T\(time.clock(""))Z"
    }
}
