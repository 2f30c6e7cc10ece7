import Foundation
import Testing

@Suite struct ResourceTests {
    /// An API with `/pets` and its id, root id and `/pets` id.
    func petsApi(_ client: Client) async throws -> (api: String, root: String, pets: String) {
        let created = try await client.call("POST", "/restapis", ["name": "pets"])
        let api = try #require(created.string("id"))
        let root = try #require(created.string("rootResourceId"))
        let pets = try await client.call("POST", "/restapis/\(api)/resources/\(root)", ["pathPart": "pets"])
        #expect(pets.status == 201)
        #expect(pets.string("path") == "/pets")
        #expect(pets.string("parentId") == root)
        return (api, root, try #require(pets.string("id")))
    }

    @Test func resourcesMethodsIntegrationsAndTheirResponses() async throws {
        let client = try Client()
        let (api, _, pets) = try await petsApi(client)
        let base = "/restapis/\(api)/resources/\(pets)/methods/GET"

        let method = try await client.call(
            "PUT", base,
            [
                "authorizationType": "NONE", "apiKeyRequired": true,
                "requestParameters": ["method.request.querystring.q": false],
            ])
        #expect(method.status == 201)
        #expect(method["apiKeyRequired"] as? Bool == true)
        #expect((method["requestParameters"] as? [String: Bool])?["method.request.querystring.q"] == false)

        let integration = try await client.call(
            "PUT", base + "/integration",
            [
                "type": "HTTP_PROXY", "integrationHttpMethod": "GET", "uri": "http://127.0.0.1:9/pets",
                "timeoutInMillis": 5000,
            ])
        #expect(integration.status == 201)
        #expect(integration.string("type") == "HTTP_PROXY")
        #expect(integration.string("httpMethod") == "GET")
        #expect(integration["timeoutInMillis"] as? Int == 5000)
        #expect(try await client.call("PUT", base + "/integration", ["uri": "x"]).status == 400, "type is required")

        #expect(
            try await client.call("PUT", base + "/responses/200", ["responseModels": ["application/json": "Empty"]])
                .status == 201)
        #expect(
            try await client.call("PUT", base + "/integration/responses/200", ["selectionPattern": ""]).status == 201)
        let patchedResponse = try await client.call(
            "PATCH", base + "/integration/responses/200",
            patch(("add", "/responseTemplates/application~1json", "{}")))
        #expect((patchedResponse["responseTemplates"] as? [String: String])?["application/json"] == "{}")

        let got = try await client.call("GET", base)
        #expect((got["methodResponses"] as? [String: Any])?["200"] != nil)
        let embedded = got["methodIntegration"] as? [String: Any]
        #expect((embedded?["integrationResponses"] as? [String: Any])?["200"] != nil)

        let patched = try await client.call(
            "PATCH", base,
            patch(
                ("replace", "/apiKeyRequired", "false"), ("add", "/requestParameters/method.request.header.x", "true")))
        #expect(patched["apiKeyRequired"] as? Bool == false)
        #expect((patched["requestParameters"] as? [String: Bool])?["method.request.header.x"] == true)
        let timeout = try await client.call(
            "PATCH", base + "/integration", patch(("replace", "/timeoutInMillis", "10")))
        #expect(timeout.status == 400, "below API Gateway's 50 ms")

        #expect(try await client.call("DELETE", base + "/integration").status == 204)
        let noIntegration = try await client.call("GET", base + "/integration")
        #expect(noIntegration.status == 404)
        #expect(noIntegration.message == "Invalid Integration identifier specified")
        #expect(try await client.call("DELETE", base).status == 204)
        #expect(try await client.call("GET", base).message == "Invalid Method identifier specified")

        let renamed = try await client.call(
            "PATCH", "/restapis/\(api)/resources/\(pets)", patch(("replace", "/pathPart", "cats")))
        #expect(renamed.string("path") == "/cats")
        #expect(try await client.call("DELETE", "/restapis/\(api)/resources/\(pets)").status == 202)
        #expect(
            try await client.call("GET", "/restapis/\(api)/resources/\(pets)").message
                == "Invalid Resource identifier specified")
    }

    /// Every operation on something that is not there: 404 NotFoundException with API Gateway's message.
    @Test func unknownIdsAreNotFound() async throws {
        let client = try Client()
        let (api, root, _) = try await petsApi(client)
        let cases: [(String, String, String)] = [
            ("GET", "/restapis/nope", "Invalid API identifier specified 123456789012:nope"),
            ("GET", "/restapis/\(api)/resources/nope", "Invalid Resource identifier specified"),
            ("GET", "/restapis/\(api)/resources/\(root)/methods/GET", "Invalid Method identifier specified"),
            ("GET", "/restapis/\(api)/deployments/nope", "Invalid Deployment identifier specified"),
            ("GET", "/restapis/\(api)/stages/nope", "Invalid stage identifier specified"),
            ("GET", "/restapis/\(api)/models/Nope", "Invalid model name specified: Nope"),
            ("GET", "/apikeys/nope", "Invalid API Key identifier specified"),
            ("GET", "/usageplans/nope", "Invalid Usage Plan ID specified"),
            ("GET", "/vpclinks/nope", "Invalid Vpc Link identifier specified"),
            ("GET", "/domainnames/nope.example.com", "Invalid domain name identifier specified"),
            ("DELETE", "/restapis/\(api)/stages/nope", "Invalid stage identifier specified"),
            ("PATCH", "/apikeys/nope", "Invalid API Key identifier specified"),
        ]
        for (method, path, message) in cases {
            let answer = try await client.call(method, path, method == "PATCH" ? patch() : nil)
            #expect(answer.status == 404, "\(method) \(path)")
            #expect(answer.errorType == "NotFoundException", "\(method) \(path)")
            #expect(answer.message == message, "\(method) \(path)")
        }
    }

    @Test func conflictsAre409() async throws {
        let client = try Client()
        let (api, root, _) = try await petsApi(client)
        let again = try await client.call("POST", "/restapis/\(api)/resources/\(root)", ["pathPart": "pets"])
        #expect(again.status == 409)
        #expect(again.errorType == "ConflictException")
        let base = "/restapis/\(api)/resources/\(root)/methods/GET"
        try await client.call("PUT", base, ["authorizationType": "NONE"])
        try await client.call("PUT", base + "/integration", ["type": "MOCK"])
        try await client.call("POST", "/restapis/\(api)/deployments", ["stageName": "test"])
        let deployment = try #require(
            try await client.call("GET", "/restapis/\(api)/deployments").items.first?["id"] as? String)
        let stage = try await client.call(
            "POST", "/restapis/\(api)/stages", ["stageName": "test", "deploymentId": deployment])
        #expect(stage.status == 409)
        #expect(stage.errorType == "ConflictException")
    }
}
