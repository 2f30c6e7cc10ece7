import Foundation
import GatewayImport
import GatewayModel
import Testing

@Suite struct FixtureImportTests {
    @Test func consolePetStoreSwagger2() throws {
        let api = try Fixtures.read("aws-console-petstore-swagger2.json")
        #expect(api.version == .swagger2)
        #expect(api.title == "PetStore")
        #expect(Set(api.paths.keys) == ["/", "/pets", "/pets/{petId}"])
        #expect(Set(api.paths["/pets"]!.keys) == ["GET", "POST", "OPTIONS"])

        let root = try #require(api.paths["/"]?["GET"]?.method)
        #expect(root.methodIntegration?.type == .mock)
        #expect(root.methodIntegration?.requestTemplates == ["application/json": "{\"statusCode\": 200}"])
        let rootResponse = try #require(root.methodIntegration?.integrationResponses["200"])
        #expect(rootResponse.selectionPattern == nil)
        #expect(rootResponse.responseParameters["method.response.header.Content-Type"] == "'text/html'")
        #expect(rootResponse.responseTemplates["text/html"]?.contains("Welcome to your Pet Store API") == true)
        #expect(root.methodResponses["200"]?.responseParameters == ["method.response.header.Content-Type": false])

        let list = try #require(api.paths["/pets"]?["GET"]?.method)
        #expect(
            list.requestParameters == [
                "method.request.querystring.type": false, "method.request.querystring.page": false,
            ])
        let integration = try #require(list.methodIntegration)
        #expect(integration.type == .http)
        #expect(integration.httpMethod == "GET")
        #expect(integration.uri == "${uri}")
        #expect(integration.passthroughBehavior == .whenNoMatch)
        #expect(
            integration.requestParameters["integration.request.querystring.page"] == "method.request.querystring.page")
        #expect(list.methodResponses["200"]?.responseModels == ["application/json": "Pets"])
        #expect(list.apiKeyRequired == false)

        let create = try #require(api.paths["/pets"]?["POST"]?.method)
        #expect(create.requestModels == ["application/json": "NewPet"])
        #expect(create.methodIntegration?.type == .http)

        let get = try #require(api.paths["/pets/{petId}"]?["GET"]?.method)
        #expect(get.requestParameters == ["method.request.path.petId": true])
        #expect(get.methodIntegration?.uri == "${uri}/{petId}")
        #expect(
            get.methodIntegration?.requestParameters == ["integration.request.path.petId": "method.request.path.petId"])

        #expect(Set(api.models.map(\.name)) == ["Pets", "Empty", "NewPetResponse", "Pet", "NewPet", "PetType"])
        let pets = try #require(api.models.first { $0.name == "Pets" }?.schema)
        #expect(pets.contains("https://apigateway.amazonaws.com/restapis/abcdef1234/models/Pet"))
        #expect(!pets.contains("#/definitions"))
        #expect(api.warnings.isEmpty)
        // Its documentation parts come in with their locations' defaults filled in.
        let parts = api.documentationParts
        #expect(parts.count > 10)
        #expect(parts.contains { $0.location == .init(type: .api) })
        let petId = try #require(parts.first { $0.location.type == .pathParameter })
        #expect(petId.location == .init(type: .pathParameter, path: "/pets/{petId}", method: "*", name: "petId"))
    }

    @Test func proxyResourceOpenAPI30() throws {
        let api = try Fixtures.read("aws-docs-proxy-resource-oas30.json")
        #expect(api.version == .openAPI30)
        #expect(Set(api.paths.keys) == ["/", "/{proxy+}"])
        let method = try #require(api.paths["/{proxy+}"]?["ANY"]?.method)
        #expect(method.requestParameters == ["method.request.path.proxy": true])
        let integration = try #require(method.methodIntegration)
        #expect(integration.type == .httpProxy)
        #expect(integration.httpMethod == "ANY")
        #expect(integration.uri == "http://petstore-demo-endpoint.execute-api.com/petstore/{proxy}")
        #expect(integration.passthroughBehavior == .whenNoMatch)
        #expect(integration.cacheNamespace == "rbftud")
        #expect(integration.cacheKeyParameters == ["method.request.path.proxy"])
        #expect(integration.requestParameters == ["integration.request.path.proxy": "method.request.path.proxy"])
        #expect(integration.integrationResponses["200"]?.selectionPattern == nil)
        #expect(api.warnings.isEmpty)
    }

    @Test func basePathModesUseTheServerVariable() throws {
        let prepended = try Fixtures.read("aws-docs-proxy-resource-oas30.json", options: .init(basePath: .prepend))
        #expect(Set(prepended.paths.keys) == ["/", "/test", "/test/{proxy+}"])
        #expect(prepended.paths["/test"]?.isEmpty == true)
        #expect(prepended.paths["/test/{proxy+}"]?["ANY"] != nil)
        // split drops the first segment, taken as the stage: nothing is left of /test.
        let split = try Fixtures.read("aws-docs-proxy-resource-oas30.json", options: .init(basePath: .split))
        #expect(Set(split.paths.keys) == ["/", "/{proxy+}"])
    }

    @Test func vpcLinkSwagger2() throws {
        let api = try Fixtures.read("aws-docs-vpclink-swagger2.json")
        #expect(api.title == "MyApiWithVpcLink")
        let method = try #require(api.paths["/"]?["GET"]?.method)
        let integration = try #require(method.methodIntegration)
        #expect(integration.type == .httpProxy)
        #expect(integration.connectionType == .vpcLink)
        #expect(integration.connectionId == "${stageVariables.vpcLinkId}")
        #expect(integration.uri == "http://my-vpclink-test-nlb-1234567890abcdef.us-east-2.amazonaws.com")
        #expect(method.methodResponses["200"]?.responseModels == ["application/json": "Empty"])

        let prepended = try Fixtures.read("aws-docs-vpclink-swagger2.json", options: .init(basePath: .prepend))
        #expect(prepended.paths["/test"]?["GET"]?.method.methodIntegration?.connectionType == .vpcLink)
        #expect(prepended.paths["/"]?.isEmpty == true)
    }

    @Test func plainSwagger2WithoutExtensions() throws {
        let api = try Fixtures.read("oai-petstore-swagger2.json")
        #expect(api.title == "Swagger Petstore")
        #expect(api.apiVersion == "1.0.0")
        #expect(Set(api.paths.keys) == ["/", "/pets", "/pets/{petId}"])
        let list = try #require(api.paths["/pets"]?["GET"]?.method)
        #expect(list.operationName == "listPets")
        #expect(list.requestParameters == ["method.request.querystring.limit": false])
        #expect(list.methodResponses["200"]?.responseParameters == ["method.response.header.x-next": false])
        #expect(list.methodResponses["200"]?.responseModels == ["application/json": "Pets"])
        #expect(list.methodResponses["default"] == nil)
        #expect(list.methodIntegration == nil)
        #expect(api.paths["/pets"]?["POST"]?.method.methodResponses.keys.sorted() == ["201"])
        #expect(Set(api.models.map(\.name)) == ["Pet", "Pets", "Error"])
    }

    @Test func swaggerPetstore3WithApiKeysAndRequestBodies() throws {
        let api = try Fixtures.read("swagger-petstore3-oas30.yaml")
        #expect(api.version == .openAPI30)
        #expect(api.paths.count == 15)  // 13 paths, plus / and the method-less /store
        #expect(api.methodCount == 19)
        #expect(api.paths["/pet/{petId}"]?["GET"]?.method.apiKeyRequired == true)
        #expect(api.paths["/store/inventory"]?["GET"]?.method.apiKeyRequired == true)
        #expect(api.paths["/pet"]?["PUT"]?.method.apiKeyRequired == false)
        #expect(api.paths["/store"]?.isEmpty == true)
        let update = try #require(api.paths["/pet"]?["PUT"]?.method)
        #expect(
            update.requestModels == [
                "application/json": "Pet", "application/xml": "Pet", "application/x-www-form-urlencoded": "Pet",
            ])
        #expect(update.methodResponses["200"]?.responseModels == ["application/json": "Pet", "application/xml": "Pet"])
        let login = try #require(api.paths["/user/login"]?["GET"]?.method)
        #expect(
            login.requestParameters == [
                "method.request.querystring.username": false, "method.request.querystring.password": false,
            ])
        #expect(
            login.methodResponses["200"]?.responseParameters.keys.sorted() == [
                "method.response.header.X-Expires-After", "method.response.header.X-Rate-Limit",
            ])
        let warnings = api.warnings.map(\.description)
        #expect(
            warnings.contains {
                $0.contains("'petstore_auth' of type oauth2") && $0.contains("/paths/~1pet/put/security/0")
            })
        #expect(warnings.contains { $0.contains("'x-api-key' header") && $0.contains("line ") })
    }

    @Test func webhookOnlyDocumentGetsAClearAnswer() throws {
        let error = try #require(
            Fixtures.failure(String(decoding: try Fixtures.data("oai-webhook-example-oas31.yaml"), as: UTF8.self)))
        #expect(error.description.contains("defines no paths"))
        #expect(error.description.contains("webhooks (newPet)"))
    }

    @Test func failOnWarningsRefusesAndListsTheWarnings() throws {
        let traced = #"""
            {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {
              "get": {"responses": {"200": {"description": "ok"}}},
              "trace": {"responses": {"200": {"description": "ok"}}}}}}
            """#
        let error = Fixtures.failure(traced, options: .init(failOnWarnings: true))
        #expect(error?.description.contains("Warning: TRACE is not a method API Gateway supports") == true)
        // The console's own petstore, documentation parts and all, imports without a warning.
        let petstore = try Fixtures.read("aws-console-petstore-swagger2.json", options: .init(failOnWarnings: true))
        #expect(petstore.warnings.isEmpty)
        #expect(petstore.documentationParts.count > 10)
        #expect(throws: Never.self) {
            try Fixtures.read("aws-docs-proxy-resource-oas30.json", options: .init(failOnWarnings: true))
        }
    }
}
