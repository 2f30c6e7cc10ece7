import Foundation

/// A Cognito user pool as Gatehouse knows it: the JSON Web Key Set its tokens are signed with (read from a file or
/// URL the user points at) and the issuer its tokens name. `COGNITO_USER_POOLS` authorizers name pools by ARN in
/// their `providerARNs` (`arn:aws:cognito-idp:REGION:123456789012:userpool/REGION_ID`).
public struct UserPool: Codable, Sendable, Equatable, Identifiable {
    /// `us-east-1_AbCdEf123`.
    public var id: String
    /// The `iss` its tokens carry: `https://cognito-idp.REGION.amazonaws.com/ID` unless set.
    public var issuer: String
    /// The key set, as JSON (`{"keys": [{"kid": …, "kty": "RSA", "n": …, "e": …}, …]}`).
    public var jwks: String
    /// Where the key set was read from (a path or URL), to read it again.
    public var source: String

    public init(id: String, issuer: String? = nil, jwks: String, source: String) {
        self.id = id
        self.issuer = issuer ?? UserPool.defaultIssuer(id)
        self.jwks = jwks
        self.source = source
    }

    /// The region a pool id starts with (`us-east-1` of `us-east-1_AbC`).
    public var region: String { id.split(separator: "_").first.map(String.init) ?? Region.default }

    public var arn: String { "arn:aws:cognito-idp:\(region):\(Region.accountId):userpool/\(id)" }

    public static func defaultIssuer(_ id: String) -> String {
        let region = id.split(separator: "_").first.map(String.init) ?? Region.default
        return "https://cognito-idp.\(region).amazonaws.com/\(id)"
    }

    /// The pool id of a user pool ARN, or the id itself.
    public static func id(fromArn text: String) -> String {
        guard text.hasPrefix("arn:"), let range = text.range(of: ":userpool/") else { return text }
        return String(text[range.upperBound...])
    }

    /// Whether `id` looks like a Cognito pool id: `REGION_ALNUM`.
    public static func isValidId(_ id: String) -> Bool {
        let parts = id.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return false }
        return parts[0].allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" }
            && parts[1].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    /// An RSA signing key of the set.
    public struct Key: Sendable, Equatable {
        public var kid: String
        /// The modulus and exponent, big-endian.
        public var modulus: [UInt8]
        public var exponent: [UInt8]
    }

    /// What is wrong with a key set.
    public struct InvalidKeySet: Error, CustomStringConvertible {
        public var description: String
    }

    /// The ids of its signing keys (none when its key set cannot be read).
    public var keyIds: [String] { ((try? UserPool.keys(fromJWKS: jwks)) ?? []).map(\.kid) }

    /// The RSA signing keys of a JSON Web Key Set; keys of other types or uses are left out.
    public static func keys(fromJWKS text: String) throws(InvalidKeySet) -> [Key] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let entries = object["keys"] as? [Any]
        else { throw InvalidKeySet(description: "The key set is not a JSON object with a \"keys\" array") }
        var keys: [Key] = []
        for (index, entry) in entries.enumerated() {
            guard let key = entry as? [String: Any] else {
                throw InvalidKeySet(description: "keys[\(index)] is not an object")
            }
            guard key["kty"] as? String == "RSA", (key["use"] as? String ?? "sig") == "sig" else { continue }
            guard let kid = key["kid"] as? String, !kid.isEmpty else {
                throw InvalidKeySet(description: "keys[\(index)] has no \"kid\"")
            }
            guard let n = (key["n"] as? String).flatMap(base64URLDecode), !n.isEmpty,
                let e = (key["e"] as? String).flatMap(base64URLDecode), !e.isEmpty
            else {
                throw InvalidKeySet(description: "keys[\(index)] (\(kid)) has no base64url \"n\" and \"e\"")
            }
            let bits = n.drop { $0 == 0 }.count * 8
            guard bits >= 2048 else {
                throw InvalidKeySet(
                    description:
                        "keys[\(index)] (\(kid)) is a \(bits)-bit RSA key; Gatehouse verifies keys of 2048 bits or more, as Cognito signs with"
                )
            }
            if keys.contains(where: { $0.kid == kid }) {
                throw InvalidKeySet(description: "keys[\(index)]: the kid \(kid) comes twice")
            }
            keys.append(Key(kid: kid, modulus: n, exponent: e))
        }
        guard !keys.isEmpty else { throw InvalidKeySet(description: "The key set has no RSA signing key") }
        return keys
    }

    /// base64url without padding (as JWTs and JWKs write it), or with it.
    public static func base64URLDecode(_ text: some StringProtocol) -> [UInt8]? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard).map { [UInt8]($0) }
    }
}
