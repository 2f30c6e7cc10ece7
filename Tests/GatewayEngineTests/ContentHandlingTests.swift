import Foundation
import GatewayControl
import GatewayModel
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

@testable import GatewayEngine

/// Binary payloads of non-proxy integrations: `binaryMediaTypes` decide what is binary, `contentHandling`
/// converts between binary and base64 text, and templates only ever see text — as API Gateway's content type
/// conversion tables say.
@Suite struct ContentHandlingTests {
    let harness = IntegrationTests()
    /// A PNG signature and bytes that are not UTF-8.
    static let image: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0xFF, 0xFE, 0x00, 0xC3, 0x28]
    static var imageBase64: String { Data(image).base64EncodedString() }

    /// The bytes the echo backend says it received.
    static func received(_ response: TestClient.Response) -> [UInt8]? {
        guard let object = response.json as? [String: Any], let text = object["base64"] as? String else { return nil }
        return Data(base64Encoded: text).map(Array.init)
    }

    func echoIntegration(
        _ port: Int, templates: [String: String] = [:], handling: ContentHandling? = nil,
        responses: [String: IntegrationResponse] = ["200": IntegrationResponse(statusCode: "200")]
    ) -> Integration {
        Integration(
            type: .http, httpMethod: "POST", uri: "http://127.0.0.1:\(port)/upload", requestTemplates: templates,
            contentHandling: handling, integrationResponses: responses)
    }

    @Test func aBinaryRequestPassesThroughByteForByteEvenBesideATemplate() async throws {
        let backend = try await ScriptedServer { _ in .echo }
        try await withCleanup({ await backend.stop() }) {
            let integration = echoIntegration(
                backend.port, templates: ["image/png": "{\"never\": \"$input.body\"}"])
            let (control, engine, api, client) = try await harness.serve(
                integration, method: "POST", binaryMediaTypes: ["image/*"])
            try await withCleanup({ try? await engine.stop() }) {
                let answer = try await client.send(
                    .POST, "/restapis/\(api.id)/test/_user_request_/thing", headers: ["Content-Type": "image/png"],
                    bytes: ContentHandlingTests.image)
                #expect(answer.status == 200)
                #expect(ContentHandlingTests.received(answer) == ContentHandlingTests.image, "\(answer.body)")
                let resource = try control.resources(api: api.id).first { $0.path == "/thing" }!
                let test = try await control.testInvoke(
                    api: api.id, resource: resource.id, httpMethod: "POST",
                    input: .init(
                        pathWithQueryString: "/thing", headers: [("Content-Type", "image/png")], body: "not really"))
                #expect(test.log.contains("Endpoint request body after transformations: [Binary Data]"), "\(test.log)")
            }
        }
    }

    @Test func convertToTextGivesTheTemplateBase64() async throws {
        let backend = try await ScriptedServer { _ in .echo }
        try await withCleanup({ await backend.stop() }) {
            let integration = echoIntegration(
                backend.port, templates: ["image/png": "{\"image\": \"$input.body\"}"], handling: .convertToText)
            let (_, engine, api, client) = try await harness.serve(
                integration, method: "POST", binaryMediaTypes: ["image/png"])
            try await withCleanup({ try? await engine.stop() }) {
                let answer = try await client.send(
                    .POST, "/restapis/\(api.id)/test/_user_request_/thing", headers: ["Content-Type": "image/png"],
                    bytes: ContentHandlingTests.image)
                let sent = (answer.json as? [String: Any])?["body"] as? String
                #expect(sent == "{\"image\": \"\(ContentHandlingTests.imageBase64)\"}", "\(answer.body)")
            }
        }
    }

    @Test func convertToTextWithoutATemplateSendsTheBase64() async throws {
        let backend = try await ScriptedServer { _ in .echo }
        try await withCleanup({ await backend.stop() }) {
            let integration = echoIntegration(backend.port, handling: .convertToText)
            let (_, engine, api, client) = try await harness.serve(
                integration, method: "POST", binaryMediaTypes: ["application/octet-stream"])
            try await withCleanup({ try? await engine.stop() }) {
                let answer = try await client.send(
                    .POST, "/restapis/\(api.id)/test/_user_request_/thing",
                    headers: ["Content-Type": "application/octet-stream"], bytes: ContentHandlingTests.image)
                #expect((answer.json as? [String: Any])?["body"] as? String == ContentHandlingTests.imageBase64)
            }
        }
    }

    @Test func convertToBinaryDecodesTheTextAndRefusesWhatIsNotBase64() async throws {
        let backend = try await ScriptedServer { _ in .echo }
        try await withCleanup({ await backend.stop() }) {
            let integration = echoIntegration(
                backend.port, templates: ["application/json": "$input.path('$.data')"], handling: .convertToBinary)
            let (control, engine, api, client) = try await harness.serve(integration, method: "POST")
            try await withCleanup({ try? await engine.stop() }) {
                let base = "/restapis/\(api.id)/test/_user_request_/thing"
                let answer = try await client.send(
                    .POST, base, headers: ["Content-Type": "application/json"],
                    body: "{\"data\": \"\(ContentHandlingTests.imageBase64)\"}")
                #expect(answer.status == 200)
                #expect(ContentHandlingTests.received(answer) == ContentHandlingTests.image)
                let refused = try await client.send(
                    .POST, base, headers: ["Content-Type": "application/json"], body: "{\"data\": \"not base64!\"}")
                #expect(refused.status == 500)
                #expect(refused.body == "{\"message\": \"Internal server error\"}")
                #expect(backend.requestCount == 1, "nothing undecodable reaches the backend")
                let resource = try control.resources(api: api.id).first { $0.path == "/thing" }!
                let test = try await control.testInvoke(
                    api: api.id, resource: resource.id, httpMethod: "POST",
                    input: .init(
                        pathWithQueryString: "/thing", headers: [("Content-Type", "application/json")],
                        body: "{\"data\": \"%%%\"}"))
                #expect(test.log.contains("Unable to base64-decode the request body"), "\(test.log)")
            }
        }
    }

    /// What a client gets when the backend answers an image and the method's one integration response is
    /// `response`.
    func answerToAnImage(_ response: IntegrationResponse) async throws -> TestClient.Response {
        let backend = try await ScriptedServer { _ in .bytes(contentType: "image/png", ContentHandlingTests.image) }
        return try await withCleanup({ await backend.stop() }) {
            let integration = echoIntegration(backend.port, responses: ["200": response])
            let (_, engine, api, client) = try await harness.serve(
                integration, method: "POST", binaryMediaTypes: ["image/png"])
            return try await withCleanup({ try? await engine.stop() }) {
                try await client.send(.POST, "/restapis/\(api.id)/test/_user_request_/thing")
            }
        }
    }

    @Test func aBinaryAnswerReachesTheClientUntouched() async throws {
        let answer = try await answerToAnImage(
            IntegrationResponse(
                statusCode: "200", responseTemplates: ["application/json": "{\"never\": \"$input.body\"}"]))
        #expect(answer.status == 200)
        #expect(answer.bytes == ContentHandlingTests.image)
        #expect(answer.headers.first(name: "Content-Type") == "image/png")
    }

    @Test func convertToTextOnTheResponseGivesItsTemplateBase64() async throws {
        let answer = try await answerToAnImage(
            IntegrationResponse(
                statusCode: "200", responseTemplates: ["application/json": "{\"image\": \"$input.body\"}"],
                contentHandling: .convertToText))
        #expect(answer.body == "{\"image\": \"\(ContentHandlingTests.imageBase64)\"}")
        #expect(answer.headers.first(name: "Content-Type") == "application/json")
    }

    @Test func base64TextBecomesBinaryForABinaryAcceptOrConvertToBinary() async throws {
        let backend = try await ScriptedServer { _ in
            .respond(status: 200, headers: [("Content-Type", "text/plain")], body: ContentHandlingTests.imageBase64)
        }
        try await withCleanup({ await backend.stop() }) {
            for handling in [nil, ContentHandling.convertToBinary, .convertToText] {
                let integration = echoIntegration(
                    backend.port,
                    responses: ["200": IntegrationResponse(statusCode: "200", contentHandling: handling)])
                let (_, engine, api, client) = try await harness.serve(
                    integration, method: "POST", binaryMediaTypes: ["image/png"])
                try await withCleanup({ try? await engine.stop() }) {
                    let base = "/restapis/\(api.id)/test/_user_request_/thing"
                    let image = try await client.send(.POST, base, headers: ["Accept": "image/png, */*"])
                    let plain = try await client.send(.POST, base)
                    switch handling {
                    case nil:
                        #expect(image.bytes == ContentHandlingTests.image, "the first Accept type is binary")
                        #expect(plain.body == ContentHandlingTests.imageBase64, "text stays text")
                    case .convertToBinary:
                        #expect(image.bytes == ContentHandlingTests.image)
                        #expect(plain.bytes == ContentHandlingTests.image)
                    case .convertToText:
                        #expect(image.body == ContentHandlingTests.imageBase64, "CONVERT_TO_TEXT keeps text")
                        #expect(plain.body == ContentHandlingTests.imageBase64)
                    }
                }
            }
        }
    }

    @Test func binaryMediaTypesMatchAsAWSMatchesThem() {
        #expect(PayloadConversion.isBinary("image/png", binaryMediaTypes: ["image/*"]))
        #expect(PayloadConversion.isBinary("Image/PNG; charset=binary", binaryMediaTypes: ["image/png"]))
        #expect(PayloadConversion.isBinary("application/json", binaryMediaTypes: ["*/*"]))
        #expect(!PayloadConversion.isBinary("application/json", binaryMediaTypes: ["image/*"]))
        #expect(!PayloadConversion.isBinary(nil, binaryMediaTypes: ["*/*"]))
        #expect(!PayloadConversion.isBinary("image/png", binaryMediaTypes: []))
        #expect(PayloadConversion.firstAccepted("image/webp,image/*,*/*;q=0.8") == "image/webp")
    }
}
