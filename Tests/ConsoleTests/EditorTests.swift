import Foundation
import GatewayModel
import SampleBackend
import TerminalUI
import TestSupport
import Testing

@testable import Console

/// The editors behind the method execution boxes, the stage's history and variables, and key deletion.
@MainActor
@Suite(.serialized) struct EditorTests {
    /// A console with the sample API imported, a MOCK integration on GET /api/pictures/all, that method selected.
    func consoleWithMethod() async throws -> (ConsoleHarness, RestApi) {
        let console = try await ConsoleHarness(offerSample: false)
        let api = try await console.control.importRestApi(
            PicturesBackend.swagger, options: .init(endpointType: .regional)
        ).api
        await console.reload()
        await console.press(.character("2"))
        for _ in 0..<5 { await console.press(.down) }
        #expect(console.text.contains("GET /api/pictures/all — method execution"))
        return (console, api)
    }

    func clear(_ console: ConsoleHarness, _ count: Int) async {
        for _ in 0..<count { await console.press(.backspace) }
    }

    @Test func integrationRequestEditor() async throws {
        let (console, api) = try await consoleWithMethod()
        try await withCleanup({ await console.stop() }) {
            await console.press(.character("e"))
            #expect(console.text.contains("Integration Request: GET /api/pictures/all"))
            // Type: HTTP proxy (there is no VPC link), then HTTP, then Mock.
            await console.press(.right, .right)
            #expect(console.text.contains("‹ Mock ›"))
            await console.press(.enter, .enter, .enter, .enter)
            await clear(console, 5)
            await console.type("30000")
            await console.press(.enter)
            #expect(console.text.contains("Timeout (ms): must be from 50 to 29000"))
            // The refused save puts the focus on the field in error.
            await clear(console, 5)
            await console.type("1500")
            await console.press(.enter)
            #expect(!console.text.contains("Integration Request: GET"))
            let resource = try #require(
                try console.control.resources(api: api.id).first { $0.path == "/api/pictures/all" })
            let integration = try #require(resource.resourceMethods["GET"]?.methodIntegration)
            #expect(integration.type == .mock)
            #expect(integration.timeoutInMillis == 1500)
            #expect(console.text.contains("Type: MOCK"))
        }
    }

    @Test func editingTheIntegrationRequestKeepsItsMappingTemplates() async throws {
        let (console, api) = try await consoleWithMethod()
        try await withCleanup({ await console.stop() }) {
            let resource = try #require(
                try console.control.resources(api: api.id).first { $0.path == "/api/pictures/all" })
            let template = "#set($root = $input.path('$'))\n{\"n\": $root.size()}"
            _ = try await console.control.putIntegration(
                api: api.id, resource: resource.id, httpMethod: "GET",
                integration: Integration(
                    type: .http, httpMethod: "GET", uri: "http://backend.internal/all",
                    requestTemplates: ["application/json": template], passthroughBehavior: .never,
                    integrationResponses: [
                        "200": IntegrationResponse(
                            statusCode: "200", responseTemplates: ["application/json": "$input.body"])
                    ]))
            await console.reload()
            // Change the timeout only.
            await console.press(.character("e"), .tab, .tab, .tab, .tab)
            await clear(console, 5)
            await console.type("1500")
            await console.press(.control("s"))
            let integration = try #require(
                try console.control.resources(api: api.id).first { $0.path == "/api/pictures/all" }?.resourceMethods[
                    "GET"]?
                    .methodIntegration)
            #expect(integration.timeoutInMillis == 1500)
            #expect(integration.requestTemplates == ["application/json": template])
            #expect(integration.passthroughBehavior == .never)
            #expect(integration.integrationResponses["200"]?.responseTemplates["application/json"] == "$input.body")
        }
    }

    /// `M` opens a template in the user's editor (here a script that writes a new one); a template that does not
    /// parse is not saved and is kept for the next edit.
    @Test func mappingTemplatesAreEditedInTheUsersEditor() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("editor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let next = scratch.appendingPathComponent("next.vtl")
        // The editor: copies next.vtl over the file it is given, as a person typing would leave it.
        let editor = ["/bin/sh", "-c", "cp \"\(next.path)\" \"$1\"", "sh"]
        let console = try await ConsoleHarness(offerSample: false, editor: editor)
        try await withCleanup({
            await console.stop()
            try? FileManager.default.removeItem(at: scratch)
        }) {
            let (api, resource) = try await console.mockPicturesAll()
            // A broken template first: refused, nothing saved.
            try Data("#if($x)never closed".utf8).write(to: next)
            await console.press(.character("M"), .right)
            #expect(console.text.contains("‹ response 200 application/json ›"))
            await console.press(.tab, .right)
            #expect(console.text.contains("‹ your editor (sh) ›"))
            await console.press(.enter)
            #expect(console.text.contains("The template does not parse"))
            #expect(console.text.contains("line 1"))
            func responseTemplate() throws -> String? {
                try console.control.resources(api: api.id).first { $0.path == "/api/pictures/all" }?
                    .resourceMethods["GET"]?.methodIntegration?.integrationResponses["200"]?
                    .responseTemplates["application/json"]
            }
            #expect(try responseTemplate() == nil)
            // Then a good one: saved, and served once deployed.
            try Data("#foreach($i in [1..3])$i#end".utf8).write(to: next)
            await console.press(.escape, .character("M"), .right, .tab, .right, .enter)
            #expect(try responseTemplate() == "#foreach($i in [1..3])$i#end")
            #expect(console.text.contains("Saved the response 200 application/json template"))
            // The flow shows what the method has: its request template's type, and a response template.
            #expect(console.text.contains("Templates: json"))
            #expect(console.text.contains("Templates: 1"))
            let test = try await console.control.testInvoke(
                api: api.id, resource: resource.id, httpMethod: "GET",
                input: .init(pathWithQueryString: "/api/pictures/all"))
            #expect(test.body == "123")
        }
    }

    /// `M` opens a template in Gatehouse's own editor: typed over several lines, refused where it does not
    /// parse (the cursor on the line that is wrong), saved with ctrl-s, and served as typed.
    @Test func mappingTemplatesAreEditedInTheConsole() async throws {
        let console = try await ConsoleHarness(offerSample: false)
        try await withCleanup({ await console.stop() }) {
            let (api, resource) = try await console.mockPicturesAll()
            await console.press(.character("M"), .right, .enter, .enter)
            #expect(console.text.contains("response 200 application/json template: GET /api/pictures/all"))
            await console.type("#foreach($i in [1..3])")
            await console.press(.enter)
            await console.type("$i,")
            await console.press(.enter)
            #expect(console.text.contains("3:1  modified"))
            // Saved without its #end: refused, the editor stays open with the text and says where.
            await console.press(.control("s"))
            #expect(console.text.contains("Not saved:"))
            #expect(console.text.contains("2 $i,"))
            func responseTemplate() throws -> String? {
                try console.control.resources(api: api.id).first { $0.path == "/api/pictures/all" }?
                    .resourceMethods["GET"]?.methodIntegration?.integrationResponses["200"]?
                    .responseTemplates["application/json"]
            }
            #expect(try responseTemplate() == nil)
            // Back to the end of the text, close the loop, save.
            await console.press(.control("e"))
            for _ in 0..<5 { await console.press(.down) }
            await console.type("#end")
            await console.press(.control("s"))
            #expect(!console.text.contains("template: GET /api/pictures/all"))
            #expect(try responseTemplate() == "#foreach($i in [1..3])\n$i,\n#end")
            #expect(console.text.contains("Saved the response 200 application/json template"))
            let test = try await console.control.testInvoke(
                api: api.id, resource: resource.id, httpMethod: "GET",
                input: .init(pathWithQueryString: "/api/pictures/all"))
            #expect(test.body == "1,\n2,\n3,\n")
            // Unsaved changes are not thrown away on the first esc.
            await console.press(.character("M"), .right, .enter, .enter)
            await console.type("x")
            await console.press(.escape)
            #expect(console.text.contains("Unsaved changes: esc again discards them"))
            await console.press(.escape)
            #expect(!console.text.contains("template: GET /api/pictures/all"))
            #expect(try responseTemplate() == "#foreach($i in [1..3])\n$i,\n#end")
        }
    }

    @Test func methodRequestEditor() async throws {
        let (console, api) = try await consoleWithMethod()
        try await withCleanup({ await console.stop() }) {
            // An integration first, so that cache keys have somewhere to go.
            await console.press(.character("e"), .right, .right, .enter, .enter, .enter, .enter, .enter)
            await console.press(.character("m"))
            #expect(console.text.contains("Method Request: GET /api/pictures/all"))
            await console.press(.right, .enter, .right, .enter)
            await console.type("size,kind*")
            await console.press(.enter)
            await console.type("X-Trace")
            await console.press(.enter)
            await console.type("nosuch")
            await console.press(.control("s"))
            #expect(console.text.contains("Cache keys: 'nosuch' is not a parameter of the method"))
            // Nothing was saved, and the focus is on the cache keys.
            #expect(
                try console.control.resources(api: api.id).first { $0.path == "/api/pictures/all" }?
                    .resourceMethods["GET"]?.apiKeyRequired == false)
            await clear(console, 6)
            await console.type("size")
            await console.press(.control("s"))
            #expect(!console.text.contains("Method Request: GET"))
            let method = try #require(
                try console.control.resources(api: api.id).first { $0.path == "/api/pictures/all" }?
                    .resourceMethods[
                        "GET"])
            #expect(method.authorizationType == .awsIam)
            #expect(method.apiKeyRequired)
            #expect(
                method.requestParameters == [
                    "method.request.querystring.size": false, "method.request.querystring.kind": true,
                    "method.request.header.X-Trace": false,
                ])
            #expect(method.methodIntegration?.cacheKeyParameters == ["method.request.querystring.size"])
            #expect(console.text.contains("API key: required"))
        }
    }

    @Test func methodRequestChoosesAnAuthorizerAndAValidator() async throws {
        let (console, api) = try await consoleWithMethod()
        try await withCleanup({ await console.stop() }) {
            let lambda =
                "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations"
            let authorizer = try await console.control.createAuthorizer(
                api: api.id, Authorizer(id: "", name: "bearer", type: .token, authorizerUri: lambda))
            let validator = try await console.control.createRequestValidator(
                api: api.id, name: "params", validateRequestBody: false, validateRequestParameters: true)
            await console.reload()

            // CUSTOM without an authorizer is refused in the dialog, with API Gateway's message.
            await console.press(.character("m"), .right, .right)
            #expect(console.text.contains("‹ CUSTOM ›"))
            await console.press(.control("s"))
            #expect(console.text.contains("Invalid authorizer ID specified."))
            // Authorization CUSTOM, authorizer bearer, validator params.
            for _ in 0..<5 { await console.press(.tab) }
            await console.press(.right, .tab, .right)
            #expect(console.text.contains("‹ bearer ›"))
            #expect(console.text.contains("‹ params ›"))
            await console.press(.control("s"))
            #expect(!console.text.contains("Method Request: GET"))
            let method = try #require(
                try console.control.resources(api: api.id).first { $0.path == "/api/pictures/all" }?
                    .resourceMethods[
                        "GET"])
            #expect(method.authorizationType == .custom)
            #expect(method.authorizerId == authorizer.id)
            #expect(method.requestValidatorId == validator.id)
            #expect(console.text.contains("Auth: CUSTOM"))
        }
    }

    @Test func historyRollbackAndVariables() async throws {
        let (console, api) = try await consoleWithMethod()
        try await withCleanup({ await console.stop() }) {
            for resource in try console.control.resources(api: api.id) {
                for method in resource.sortedMethods {
                    _ = try await console.control.putIntegration(
                        api: api.id, resource: resource.id, httpMethod: method.httpMethod,
                        integration: Integration(type: .mock))
                }
            }
            let first = try await console.control.createDeployment(api: api.id, stageName: "test", description: "first")
            try await Task.sleep(for: .milliseconds(20))
            let second = try await console.control.createDeployment(
                api: api.id, stageName: "test", description: "second")
            await console.reload()
            await console.press(.character("3"), .character("b"))
            #expect(console.text.contains("\(second.id)"))
            #expect(console.text.contains("(current)"))
            await console.press(.right, .enter)
            #expect(try console.control.stage(api: api.id, name: "test").deploymentId == first.id)
            #expect(console.text.contains("Stage test now serves deployment \(first.id)"))

            // A per-method override: the first method (POST /api/pictures), caching off, 2 requests a second.
            await console.press(.character("o"), .enter, .right, .enter, .enter)
            await clear(console, 5)
            await console.type("2")
            await console.press(.enter)
            await clear(console, 4)
            await console.type("4")
            await console.press(.enter)
            let override = try #require(
                try console.control.stage(api: api.id, name: "test").methodSettings["~1api~1pictures/POST"])
            #expect(override.throttlingRateLimit == 2)
            #expect(override.throttlingBurstLimit == 4)
            #expect(!override.cachingEnabled)
            #expect(console.text.contains("~1api~1pictures/POST  caching off 300 s  2 req/s burst 4"))

            await console.press(.character("s"))
            await console.type("vpcLinkId=abc123,broken")
            await console.press(.enter)
            #expect(console.text.contains("write NAME=VALUE pairs"))
            await clear(console, 7)
            await console.press(.enter)
            #expect(try console.control.stage(api: api.id, name: "test").variables == ["vpcLinkId": "abc123"])
        }
    }

    @Test func clicksSelectPanesAndRows() async throws {
        let (console, _) = try await consoleWithMethod()
        try await withCleanup({ await console.stop() }) {
            // Row 3 is the root resource; row 4 /api; a click on row 8 is GET /api/pictures/all.
            console.surface.send(.click(x: 20, y: 8))
            await console.app.runPending()
            #expect(console.text.contains("GET /api/pictures/all — method execution"))
            console.surface.send(.click(x: 20, y: 4))
            await console.app.runPending()
            #expect(console.text.contains("Resource /api ("))
            console.surface.send(.click(x: 3, y: 4 + 6))
            await console.app.runPending()
            #expect(console.app.pane == .rules)
        }
    }

    @Test func filtersNarrowListsAndActionsFollowThem() async throws {
        let console = try await ConsoleHarness(offerSample: false)
        try await withCleanup({ await console.stop() }) {
            // Names with a '-', which no generated id holds, so the filter cannot match an id by chance.
            for name in ["key-alpha", "key-beta", "key-gamma"] {
                _ = try await console.control.createApiKey(name: name, enabled: true)
            }
            for name in ["orders", "pictures"] { _ = try await console.control.createRestApi(name: name) }
            await console.reload()
            await console.press(.character("4"), .character("/"))
            await console.type("-bET")
            await console.press(.enter)
            #expect(console.text.contains("key-beta"))
            #expect(!console.text.contains("alpha"))
            #expect(!console.text.contains("gamma"))
            // The action works on the row shown, not on the first key of the whole list.
            await console.press(.character("x"), .character("y"))
            #expect(try console.control.apiKeys().map(\.name) == ["key-alpha", "key-gamma"])

            await console.press(.character("1"), .character("/"))
            await console.type("pict")
            await console.press(.enter, .enter)
            #expect(console.text.contains("APIs › pictures ("))
        }
    }

    @Test func testFormSendsPathQueryHeadersAndBody() async throws {
        let console = try await ConsoleHarness()
        try await withCleanup({ await console.stop() }) {
            await console.press(.character("y"))
            let balancer = try console.control.loadBalancer("pictures-nlb")
            let link = try await console.control.createVpcLink(name: "l", targetArn: balancer.arn)
            #expect(await console.waitFor("Your vpc link is ready for use"))
            let api = try await console.control.importRestApi(
                PicturesBackend.swagger, options: .init(endpointType: .regional)
            ).api
            try await console.control.integrateAllThroughVpcLink(api: api.id, link: link.id)
            await console.reload()
            // POST /api/pictures is the fourth row; its form comes with a JSON body.
            await console.press(.character("2"), .down, .down, .down, .character("t"))
            #expect(console.text.contains("Test POST /api/pictures"))
            await console.press(.enter)
            await console.type("size=small")
            await console.press(.enter, .enter, .enter)
            #expect(console.text.contains("Test POST /api/pictures: 201"))
            #expect(console.text.contains("Request: POST /api/pictures?size=small"))
            #expect(console.text.contains("\"name\" : \"test.jpg\""))
            // A bad header is refused in the form.
            await console.press(.escape, .character("t"), .enter, .enter)
            for _ in 0..<40 { await console.press(.backspace) }
            await console.type("no colon here")
            await console.press(.enter, .enter)
            #expect(console.text.contains("Headers: write NAME:VALUE pairs"))
        }
    }

    @Test func linkDeletionCacheSizeAndPathCompletion() async throws {
        let console = try await ConsoleHarness()
        try await withCleanup({ await console.stop() }) {
            await console.press(.character("y"))
            let balancer = try console.control.loadBalancer("pictures-nlb")
            _ = try await console.control.createVpcLink(name: "doomed", targetArn: balancer.arn)
            await console.reload()
            await console.press(.character("6"), .character("x"))
            #expect(console.text.contains("Delete the VPC link doomed"))
            await console.press(.character("y"))
            #expect(try console.control.vpcLinks().isEmpty)

            // Tab completes the file path in the import form.
            await console.press(.character("1"), .character("i"))
            for _ in 0..<("swagger.json".count) { await console.press(.backspace) }
            await console.type("swa")
            await console.press(.tab)
            #expect(console.app.dialog?.form.entries.first?.value.hasSuffix("/swagger.json") == true)
            await console.press(.escape)

            let api = try await console.control.importRestApi(
                PicturesBackend.swagger, options: .init(endpointType: .regional)
            ).api
            for resource in try console.control.resources(api: api.id) {
                for method in resource.sortedMethods {
                    _ = try await console.control.putIntegration(
                        api: api.id, resource: resource.id, httpMethod: method.httpMethod,
                        integration: Integration(type: .mock))
                }
            }
            _ = try await console.control.createDeployment(api: api.id, stageName: "test")
            await console.reload()
            await console.press(.character("3"), .character("z"), .right, .right, .enter)
            await clear(console, 3)
            await console.type("120")
            await console.press(.enter)
            let stage = try console.control.stage(api: api.id, name: "test")
            #expect(stage.cacheClusterSize == .gb6_1)
            #expect(stage.methodSettings["*/*"]?.cacheTtlInSeconds == 120)
        }
    }

    @Test func deletingAKeyAsksFirst() async throws {
        let console = try await ConsoleHarness(offerSample: false)
        try await withCleanup({ await console.stop() }) {
            let key = try await console.control.createApiKey(name: "doomed", enabled: true)
            await console.reload()
            await console.press(.character("4"), .character("x"))
            #expect(console.text.contains("Delete the API key doomed"))
            await console.press(.character("n"))
            #expect(try console.control.apiKeys().count == 1)
            await console.press(.character("x"), .character("y"))
            #expect(try console.control.apiKeys().isEmpty)
            #expect(console.text.contains("Deleted API key doomed (\(key.id))"))
        }
    }
}
