import Foundation
import GatewayModel
import NIOCore

/// API Gateway's payload conversions for non-proxy integrations: an API's `binaryMediaTypes` decide whether a
/// request or response body is binary, and `contentHandling` on the integration (request) or the integration
/// response (response) converts between binary and base64 text. Templates only ever see text: a binary body that
/// is not converted to text passes through untransformed.
enum PayloadConversion {
    /// Whether a `Content-Type` / `Accept` media type is one of the API's binary media types (`image/png`,
    /// `image/*`, `*/*`); parameters such as `charset` are ignored, case does not matter.
    static func isBinary(_ mediaType: String?, binaryMediaTypes: [String]) -> Bool {
        guard !binaryMediaTypes.isEmpty, let mediaType else { return false }
        let type = MappingTemplates.mediaType(mediaType[...])
        guard !type.isEmpty else { return false }
        let (major, minor) = split(type)
        for candidate in binaryMediaTypes {
            let (wantMajor, wantMinor) = split(MappingTemplates.mediaType(candidate[...]))
            if (wantMajor == "*" || wantMajor == major) && (wantMinor == "*" || wantMinor == minor) { return true }
        }
        return false
    }

    /// The first media type of an `Accept` header: API Gateway honours only that one when it decides whether a
    /// response is binary.
    static func firstAccepted(_ accept: String?) -> String? {
        guard let accept, let first = accept.split(separator: ",").first else { return nil }
        return String(first)
    }

    private static func split(_ type: String) -> (Substring, Substring) {
        let parts = type.split(separator: "/", maxSplits: 1)
        return (parts.first ?? "", parts.count > 1 ? parts[1] : "")
    }

    static func base64(_ buffer: ByteBuffer) -> String {
        Data(buffer.readableBytesView).base64EncodedString()
    }

    /// The bytes of a base64 text; nil when it is not base64. Line breaks and surrounding blanks are allowed.
    static func decodeBase64(_ text: String) -> ByteBuffer? {
        let compact = text.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: compact) else { return nil }
        return ByteBuffer(bytes: data)
    }

    /// A request or response body as the conversion left it: text that templates may read, or binary bytes
    /// that pass through.
    enum Payload {
        /// Text for templates; `converted` when it is the base64 of a binary body.
        case text(String, converted: Bool)
        case binary(ByteBuffer)
    }

    /// A body before templates (the integration request's, under the integration's `contentHandling`, or the
    /// integration response's, under its own): a binary one stays binary unless converted to text (base64).
    static func payload(
        _ body: ByteBuffer?, contentType: String?, binaryMediaTypes: [String], handling: ContentHandling?
    ) -> Payload {
        let body = body ?? ByteBuffer()
        guard isBinary(contentType, binaryMediaTypes: binaryMediaTypes) else {
            return .text(String(buffer: body), converted: false)
        }
        return handling == .convertToText ? .text(base64(body), converted: true) : .binary(body)
    }

    /// Whether text leaving the templates is base64 to decode into binary: always under `CONVERT_TO_BINARY`; for
    /// a response without `contentHandling`, also when the client's first `Accept` type is binary.
    static func decodesText(handling: ContentHandling?, acceptIsBinary: Bool) -> Bool {
        handling == .convertToBinary || (handling == nil && acceptIsBinary)
    }
}
