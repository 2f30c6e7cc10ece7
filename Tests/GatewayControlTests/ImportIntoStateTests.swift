import Foundation
import GatewayControl
import GatewayImport
import GatewayModel
import Testing

/// Imports through the control plane: what is stored, and that a refused document changes nothing.
@Suite struct ImportIntoStateTests {
    @Test func importStoresTheWholeApi() async throws {
        let control = try memoryControl()
        let outcome = try await control.importRestApi(
            try Fixtures.data("aws-docs-vpclink-swagger2.json"), options: .init(endpointType: .regional))
        #expect(outcome.api.name == "MyApiWithVpcLink")
        #expect(outcome.api.id.count == 10)
        #expect(outcome.api.id.allSatisfy { $0.isLowercase || $0.isNumber })
        #expect(outcome.api.endpointType == .regional)
        #expect(outcome.resourceCount == 1)
        #expect(outcome.methodCount == 1)
        let resources = try control.resources(api: outcome.api.id)
        #expect(resources.map(\.path) == ["/"])
        #expect(resources[0].id == outcome.api.rootResourceId)
        #expect(resources[0].id.count == 10)
        let method = try #require(resources[0].resourceMethods["GET"])
        #expect(method.methodIntegration?.cacheNamespace == resources[0].id)
        #expect(try control.models(api: outcome.api.id).map(\.name) == ["Empty"])
    }

    @Test func endpointTypeComesFromTheDocumentWhenNotGiven() async throws {
        let control = try memoryControl()
        let yaml = """
            openapi: 3.0.1
            info: {title: Private one, version: "1"}
            x-amazon-apigateway-endpoint-configuration: {types: [PRIVATE], vpcEndpointIds: [vpce-1]}
            paths: {/a: {get: {responses: {"200": {description: ok}}}}}
            """
        let api = try await control.importRestApi(Data(yaml.utf8)).api
        #expect(api.endpointType == .private)
        #expect(api.endpointConfiguration.vpcEndpointIds == ["vpce-1"])
        let defaulted = try await control.importRestApi(try Fixtures.data("oai-petstore-swagger2.json")).api
        #expect(defaulted.endpointType == .edge)
    }

    @Test func refusedDocumentLeavesTheStateUnchanged() async throws {
        let control = try memoryControl()
        let api = try await control.importRestApi(try Fixtures.data("oai-petstore-swagger2.json")).api
        let before = try control.definition(api.id)
        let broken = String(decoding: try Fixtures.data("oai-petstore-swagger2.json"), as: UTF8.self)
            .replacingOccurrences(of: "\"/pets/{petId}\"", with: "\"/pets/{petId}/{petId}\"")
        for mode in ImportMode.allCases {
            await #expect(throws: GatewayError.self) {
                try await control.putRestApi(api.id, document: Data(broken.utf8), mode: mode)
            }
        }
        await #expect(throws: GatewayError.self) { try await control.importRestApi(Data(broken.utf8)) }
        // With warnings and fail-on-warnings, nothing either.
        await #expect(throws: GatewayError.self) {
            try await control.putRestApi(
                api.id,
                document: Data(
                    #"{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"trace": {"responses": {}}}}}"#
                        .utf8), mode: .overwrite, options: .init(failOnWarnings: true))
        }
        #expect(try control.definition(api.id) == before)
        #expect(try control.restApis().count == 1)
    }

    @Test func importErrorsComeBackAsBadRequestWithTheLocation() async throws {
        let control = try memoryControl()
        do {
            _ = try await control.importRestApi(
                Data("{\"swagger\": \"2.0\", \"info\": {\"title\": \"x\"}, \"paths\": {\"/a b\": {}}}".utf8))
            Issue.record("accepted a bad path")
        } catch let error as GatewayError {
            #expect(error.kind == .badRequest)
            #expect(error.message.contains("Invalid resource path '/a b'"))
            #expect(error.message.contains("at /paths/~1a b"))
        }
        do {
            _ = try await control.importRestApi(Data("{\"swagger\": \"2.0\", \"paths\": {\"/a\": {}}}".utf8))
            Issue.record("accepted a document without a title")
        } catch let error as GatewayError {
            #expect(error.message.contains("info.title"))
        }
    }

    @Test func mergeKeepsWhatTheDocumentDoesNotName() async throws {
        let control = try memoryControl()
        let api = try await control.importRestApi(try Fixtures.data("oai-petstore-swagger2.json")).api
        let extra = try await control.ensureResource(api: api.id, path: "/extra")
        _ = try await control.putMethod(api: api.id, resource: extra.id, httpMethod: "GET")
        let petsBefore = try #require(try control.resources(api: api.id).first { $0.path == "/pets" })

        let patch = """
            swagger: "2.0"
            info: {title: Patch, version: "2"}
            paths:
              /pets:
                get:
                  security: [{api_key: []}]
                  responses: {"200": {description: ok}}
                  x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}}
              /new/{id}:
                delete:
                  responses: {"204": {description: gone}}
            securityDefinitions:
              api_key: {type: apiKey, name: x-api-key, in: header}
            """
        let outcome = try await control.putRestApi(api.id, document: Data(patch.utf8), mode: .merge)
        // The document's title becomes the name in merge mode too (AWS's recorded answer to a merge put).
        #expect(outcome.api.name == "Patch")
        let resources = try control.resources(api: api.id)
        #expect(resources.map(\.path) == ["/", "/extra", "/new", "/new/{id}", "/pets", "/pets/{petId}"])
        let pets = try #require(resources.first { $0.path == "/pets" })
        #expect(pets.id == petsBefore.id)
        #expect(pets.resourceMethods["GET"]?.apiKeyRequired == true)
        #expect(pets.resourceMethods["GET"]?.methodIntegration?.type == .mock)
        #expect(pets.resourceMethods["POST"] != nil, "merge keeps the POST the document does not name")
        #expect(
            resources.first { $0.path == "/new/{id}" }?.resourceMethods["DELETE"]?.requestParameters == [
                "method.request.path.id": true
            ])
        #expect(try control.models(api: api.id).map(\.name) == ["Error", "Pet", "Pets"])

        let overwritten = try await control.putRestApi(api.id, document: Data(patch.utf8), mode: .overwrite)
        #expect(overwritten.api.name == "Patch")
        let after = try control.resources(api: api.id)
        #expect(after.map(\.path) == ["/", "/new", "/new/{id}", "/pets"])
        #expect(after.first { $0.path == "/pets" }?.id == petsBefore.id, "a resource that stays keeps its id")
        #expect(after.first { $0.path == "/pets" }?.resourceMethods.keys.sorted() == ["GET"])
        #expect(try control.models(api: api.id).isEmpty)
        #expect(try control.restApi(api.id).endpointType == .edge)
    }

    @Test func requestValidatorsAndGatewayResponsesAreImported() async throws {
        let control = try memoryControl()
        let yaml = """
            openapi: 3.0.1
            info: {title: Validated, version: "1"}
            x-amazon-apigateway-request-validators:
              all: {validateRequestBody: true, validateRequestParameters: true}
              params-only: {validateRequestBody: false, validateRequestParameters: true}
            x-amazon-apigateway-request-validator: params-only
            x-amazon-apigateway-gateway-responses:
              INVALID_API_KEY:
                statusCode: 401
                responseTemplates: {application/json: '{"message": "key please"}'}
            x-amazon-apigateway-api-key-source: AUTHORIZER
            x-amazon-apigateway-binary-media-types: [image/png]
            paths:
              /a:
                get:
                  responses: {"200": {description: ok}}
                post:
                  x-amazon-apigateway-request-validator: all
                  responses: {"200": {description: ok}}
            """
        let api = try await control.importRestApi(Data(yaml.utf8)).api
        #expect(api.apiKeySource == .authorizer)
        #expect(api.binaryMediaTypes == ["image/png"])
        let validators = try control.requestValidators(api: api.id)
        #expect(Set(validators.map(\.name)) == ["all", "params-only"])
        let byId = Dictionary(uniqueKeysWithValues: validators.map { ($0.id, $0.name) })
        let resource = try #require(try control.resources(api: api.id).first { $0.path == "/a" })
        #expect(resource.resourceMethods["GET"]?.requestValidatorId.flatMap { byId[$0] } == "params-only")
        #expect(resource.resourceMethods["POST"]?.requestValidatorId.flatMap { byId[$0] } == "all")
        let responses = try control.gatewayResponses(api: api.id)
        #expect(responses.map(\.responseType) == ["INVALID_API_KEY"])
        #expect(responses.first?.statusCode == "401")
    }

    @Test func deepPathsGetEveryAncestorWhateverTheirOrder() async throws {
        let control = try memoryControl()
        let yaml = """
            openapi: 3.0.1
            info: {title: Deep, version: "1"}
            paths:
              /z/y/x/{w}: {get: {responses: {"200": {description: ok}}}}
              /a: {get: {responses: {"200": {description: ok}}}}
              /z/b: {post: {responses: {"200": {description: ok}}}}
            """
        let api = try await control.importRestApi(Data(yaml.utf8)).api
        let resources = try control.resources(api: api.id)
        #expect(resources.map(\.path) == ["/", "/a", "/z", "/z/b", "/z/y", "/z/y/x", "/z/y/x/{w}"])
        let byPath = Dictionary(uniqueKeysWithValues: resources.map { ($0.path, $0) })
        for resource in resources where resource.path != "/" {
            let parentPath = "/" + PathRules.segments(resource.path).dropLast().joined(separator: "/")
            #expect(resource.parentId == byPath[parentPath]?.id, "parent of \(resource.path)")
        }
        #expect(byPath["/z/y/x/{w}"]?.resourceMethods["GET"]?.requestParameters == ["method.request.path.w": true])
    }
}
