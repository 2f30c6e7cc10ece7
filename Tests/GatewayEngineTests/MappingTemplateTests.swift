import Foundation
import GatewayControl
import GatewayModel
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

@testable import GatewayEngine

/// Mapping templates served on invoke URLs: MOCK statuses from evaluated templates, HTTP request and response
/// templates, response overrides, gateway responses, the passthrough behaviours, and test-invoke's log lines.
@Suite struct MappingTemplateTests {
    let harness = IntegrationTests()

    @Test func mockStatusComesFromTheEvaluatedTemplate() async throws {
        let mock = Integration(
            type: .mock,
            requestTemplates: [
                "application/json": """
                #if( $input.params('scope') == "internal" )
                  {"statusCode": 200}
                #else
                  {"statusCode": 403}
                #end
                """
            ],
            integrationResponses: [
                "200": IntegrationResponse(
                    statusCode: "200",
                    responseTemplates: [
                        "application/json": "{\"scope\": \"$input.params('scope')\", \"id\": \"$context.requestId\"}"
                    ]),
                "403": IntegrationResponse(
                    statusCode: "403", selectionPattern: "403",
                    responseTemplates: ["application/json": "{\"message\": \"not for you\"}"]),
            ])
        let (_, engine, api, client) = try await harness.serve(mock)
        try await withCleanup({ try? await engine.stop() }) {
            let base = "/restapis/\(api.id)/test/_user_request_/thing"
            let inside = try await client.send(.GET, base + "?scope=internal")
            #expect(inside.status == 200)
            let id = try #require(inside.headers.first(name: "x-amzn-RequestId"))
            #expect(inside.body == "{\"scope\": \"internal\", \"id\": \"\(id)\"}")
            let outside = try await client.send(.GET, base + "?scope=public")
            #expect(outside.status == 403)
            #expect(outside.body == "{\"message\": \"not for you\"}")
        }
    }

    @Test func theCDKsUnquotedStatusCodeIsAccepted() async throws {
        let mock = Integration(
            type: .mock, requestTemplates: ["application/json": "{statusCode: 200}"],
            integrationResponses: ["200": IntegrationResponse(statusCode: "200")])
        let (_, engine, api, client) = try await harness.serve(mock)
        try await withCleanup({ try? await engine.stop() }) {
            let response = try await client.send(.GET, "/restapis/\(api.id)/test/_user_request_/thing")
            #expect(response.status == 200)
        }
    }

    @Test func httpRequestAndResponseTemplatesTransformBothWays() async throws {
        let backend = try await ScriptedServer { _ in .echo }
        try await withCleanup({ await backend.stop() }) {
            let http = Integration(
                type: .http, httpMethod: "POST", uri: "http://127.0.0.1:\(backend.port)/orders",
                requestTemplates: [
                    "application/json": """
                    #set($inputRoot = $input.path('$'))
                    {"item": "$util.escapeJavaScript($inputRoot.name)", "count": $inputRoot.count, "stage": "$context.stage"}
                    #set($context.requestOverride.header.X-Mapped = "yes")
                    """
                ],
                integrationResponses: [
                    "200": IntegrationResponse(
                        statusCode: "200",
                        responseTemplates: [
                            "application/json": """
                            #set($sent = $util.parseJson($input.path('$.body')))
                            {"received": $input.json('$.body'), "count": $sent.count, "header": "$input.path('$.header')"}
                            #if($sent.count > 2)
                            #set($context.responseOverride.status = 444)
                            #set($context.responseOverride.header.X-Big = "true")
                            #end
                            """
                        ])
                ])
            let (_, engine, api, client) = try await harness.serve(http, method: "POST")
            try await withCleanup({ try? await engine.stop() }) {
                let base = "/restapis/\(api.id)/test/_user_request_/thing"
                let small = try await client.send(
                    .POST, base, headers: ["Content-Type": "application/json"],
                    body: "{\"name\": \"a \\\"b\\\"\", \"count\": 1}")
                #expect(small.status == 200)
                #expect(
                    small.body
                        == "{\"received\": \"{\\\"item\\\": \\\"a \\\\\\\"b\\\\\\\"\\\", \\\"count\\\": 1, \\\"stage\\\": \\\"test\\\"}\\n\", \"count\": 1, \"header\": \"yes\"}\n",
                    "\(small.body)")
                let big = try await client.send(
                    .POST, base, headers: ["Content-Type": "application/json"], body: "{\"name\": \"x\", \"count\": 3}")
                #expect(big.status == 444)
                #expect(big.headers.first(name: "X-Big") == "true")
            }
        }
    }

    @Test func requestOverridesChangeThePathAndTheQueryString() async throws {
        let backend = try await ScriptedServer { _ in .echo }
        try await withCleanup({ await backend.stop() }) {
            let http = Integration(
                type: .http, httpMethod: "GET", uri: "http://127.0.0.1:\(backend.port)/items/{id}",
                requestParameters: [
                    "integration.request.path.id": "method.request.path.id",
                    "integration.request.querystring.kind": "'static'",
                ],
                requestTemplates: [
                    "application/json": """
                    #set($context.requestOverride.path.id = "over/ridden")
                    #set($context.requestOverride.querystring.kind = "dynamic value")
                    #set($context.requestOverride.querystring.extra = $input.params('id'))
                    {}
                    """
                ],
                integrationResponses: ["200": IntegrationResponse(statusCode: "200")])
            let (_, engine, api, client) = try await harness.serve(http, path: "/items/{id}")
            try await withCleanup({ try? await engine.stop() }) {
                let answer = try await client.send(.GET, "/restapis/\(api.id)/test/_user_request_/items/42")
                #expect(answer.status == 200)
                #expect(
                    answer.body.contains("\"uri\":\"\\/items\\/over%2Fridden?kind=dynamic%20value&extra=42\""),
                    "\(answer.body)")
            }
        }
    }

    @Test func passthroughBehavioursAnswer415AsAWSDoes() async throws {
        let backend = try await ScriptedServer { _ in .echo }
        try await withCleanup({ await backend.stop() }) {
            for (behaviour, expected) in [
                (PassthroughBehavior.whenNoMatch, 200), (.whenNoTemplates, 415), (.never, 415),
            ] {
                let http = Integration(
                    type: .http, httpMethod: "POST", uri: "http://127.0.0.1:\(backend.port)/",
                    requestTemplates: ["application/json": "{\"mapped\": true}"], passthroughBehavior: behaviour,
                    integrationResponses: ["200": IntegrationResponse(statusCode: "200")])
                let (_, engine, api, client) = try await harness.serve(http, method: "POST")
                try await withCleanup({ try? await engine.stop() }) {
                    let base = "/restapis/\(api.id)/test/_user_request_/thing"
                    let xml = try await client.send(
                        .POST, base, headers: ["Content-Type": "application/xml"], body: "<a/>")
                    #expect(xml.status == expected, "\(behaviour)")
                    if expected == 415 { #expect(xml.body == "{\"message\":\"Unsupported Media Type\"}") }
                    if expected == 200 {
                        #expect(xml.body.contains("\"body\":\"<a"), "WHEN_NO_MATCH passes the body through")
                    }
                    let json = try await client.send(
                        .POST, base, headers: ["Content-Type": "application/json; charset=utf-8"], body: "{}")
                    #expect(json.body.contains("{\\\"mapped\\\": true}"), "\(behaviour): \(json.body)")
                }
            }
        }
    }

    @Test func aTemplateThatFailsAnswers500AndLogsWhy() async throws {
        let mock = Integration(
            type: .mock, requestTemplates: ["application/json": "{\"statusCode\": 200}"],
            integrationResponses: [
                "200": IntegrationResponse(
                    statusCode: "200", responseTemplates: ["application/json": "#set($s = 'abc')$s.substring(9)"])
            ])
        let (control, engine, api, client) = try await harness.serve(mock)
        try await withCleanup({ try? await engine.stop() }) {
            let response = try await client.send(.GET, "/restapis/\(api.id)/test/_user_request_/thing")
            #expect(response.status == 500)
            #expect(response.body == "{\"message\": \"Internal server error\"}")
            let resource = try control.resources(api: api.id).first { $0.path == "/thing" }!
            let test = try await control.testInvoke(
                api: api.id, resource: resource.id, httpMethod: "GET", input: .init(pathWithQueryString: "/thing"))
            #expect(test.status == 500)
            #expect(test.log.contains("Execution failed due to configuration error: Unable to transform response"))
        }
    }

    @Test func testInvokeLogsTheBodiesAfterTransformation() async throws {
        let mock = Integration(
            type: .mock, requestTemplates: ["application/json": "#set($code = 200){\"statusCode\": $code}"],
            integrationResponses: [
                "200": IntegrationResponse(
                    statusCode: "200", responseTemplates: ["application/json": "#foreach($i in [1..3])$i#end"])
            ])
        let (control, engine, api, _) = try await harness.serve(mock)
        try await withCleanup({ try? await engine.stop() }) {
            let resource = try control.resources(api: api.id).first { $0.path == "/thing" }!
            let test = try await control.testInvoke(
                api: api.id, resource: resource.id, httpMethod: "GET", input: .init(pathWithQueryString: "/thing"))
            #expect(test.status == 200)
            #expect(test.body == "123")
            #expect(!test.log.contains("Endpoint request"), "a MOCK has no endpoint to log")
            #expect(test.log.contains("Method response body after transformations: 123"))
        }
    }

    @Test func gatewayResponseTemplatesAreEvaluated() async throws {
        let http = Integration(type: .httpProxy, httpMethod: "GET", uri: "http://127.0.0.1:9/")
        let (control, engine, api, client) = try await harness.serve(http)
        try await withCleanup({ try? await engine.stop() }) {
            _ = try await control.putGatewayResponse(
                api: api.id,
                response: GatewayResponse(
                    responseType: "MISSING_AUTHENTICATION_TOKEN", statusCode: "404",
                    responseTemplates: [
                        "application/json":
                            "{\"error\": $context.error.messageString, \"type\": \"$context.error.responseType\", \"id\": \"$context.requestId\"#if($context.error.message.contains('Token')), \"hint\": \"check the path\"#end}"
                    ]))
            _ = try await control.createDeployment(api: api.id, stageName: "test")
            let response = try await client.send(.GET, "/restapis/\(api.id)/test/_user_request_/nowhere")
            #expect(response.status == 404)
            let id = try #require(response.headers.first(name: "x-amzn-RequestId"))
            #expect(
                response.body
                    == "{\"error\": \"Missing Authentication Token\", \"type\": \"MISSING_AUTHENTICATION_TOKEN\", \"id\": \"\(id)\", \"hint\": \"check the path\"}"
            )
        }
    }

    @Test func aTemplateOverThreeHundredKilobytesIsRefused() async throws {
        let control = try GatewayControl(location: ":memory:")
        let api = try await control.createRestApi(name: "big")
        let resource = try await control.ensureResource(api: api.id, path: "/big")
        _ = try await control.putMethod(api: api.id, resource: resource.id, httpMethod: "POST")
        let huge = String(repeating: "x", count: 300 * 1024 + 1)
        await #expect(throws: GatewayError.self) {
            _ = try await control.putIntegration(
                api: api.id, resource: resource.id, httpMethod: "POST",
                integration: Integration(type: .mock, requestTemplates: ["application/json": huge]))
        }
        // Nothing was half-applied: the method still has no integration.
        #expect(try control.method(api: api.id, resource: resource.id, httpMethod: "POST").methodIntegration == nil)
    }
}

@Suite struct RequestTimeTests {
    /// `$context.requestTime` as API Gateway writes it, for dates either side of leap days and the epoch.
    @Test(arguments: [
        (0.0, "01/Jan/1970:00:00:00 +0000"), (1_428_582_896, "09/Apr/2015:12:34:56 +0000"),
        (951_782_400, "29/Feb/2000:00:00:00 +0000"), (1_709_251_199, "29/Feb/2024:23:59:59 +0000"),
        (4_102_444_800, "01/Jan/2100:00:00:00 +0000"), (-1, "31/Dec/1969:23:59:59 +0000"),
    ])
    func requestTimeIsWrittenAsAPIGatewayWritesIt(epoch: Double, expected: String) {
        #expect(MappingTemplates.requestTime(Date(timeIntervalSince1970: epoch)) == expected)
    }
}
