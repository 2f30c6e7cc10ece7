import Foundation
import GatewayControl
import GatewayModel
import Testing

/// Expects `body` to fail with API Gateway's error kind and a message containing `text`.
func expectGatewayError(
    _ kind: GatewayError.Kind, _ text: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async {
    do {
        try await body()
        Issue.record("expected \(kind.rawValue): \(text)", sourceLocation: sourceLocation)
    } catch let error as GatewayError {
        #expect(error.kind == kind, sourceLocation: sourceLocation)
        #expect(error.message.contains(text), "\(error.message)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}

@Suite struct ResourceAndMethodTests {
    @Test func resourceTreeFollowsApiGatewayRules() async throws {
        let control = try memoryControl()
        let api = try await control.createRestApi(name: "pictures")
        let root = api.rootResourceId
        let pictures = try await control.createResource(api: api.id, parentId: root, pathPart: "pictures")
        #expect(pictures.path == "/pictures")
        #expect(pictures.id.count == 6)
        let id = try await control.createResource(api: api.id, parentId: pictures.id, pathPart: "{id}")
        #expect(id.path == "/pictures/{id}")

        await expectGatewayError(.conflict, "Another resource with the same parent already has this name: pictures") {
            _ = try await control.createResource(api: api.id, parentId: root, pathPart: "pictures")
        }
        await expectGatewayError(.badRequest, "only one is allowed") {
            _ = try await control.createResource(api: api.id, parentId: pictures.id, pathPart: "{other}")
        }
        await expectGatewayError(.badRequest, "Resource's path part only allow a-zA-Z0-9._-") {
            _ = try await control.createResource(api: api.id, parentId: root, pathPart: "a b")
        }
        let greedy = try await control.createResource(api: api.id, parentId: root, pathPart: "{proxy+}")
        await expectGatewayError(.badRequest, "greedy path variable") {
            _ = try await control.createResource(api: api.id, parentId: greedy.id, pathPart: "x")
        }
        await expectGatewayError(.notFound, "Invalid API identifier specified 123456789012:nope") {
            _ = try await control.createResource(api: "nope", parentId: root, pathPart: "x")
        }
        await expectGatewayError(.notFound, "Invalid Resource identifier specified") {
            _ = try await control.createResource(api: api.id, parentId: "zzzzzz", pathPart: "x")
        }
        await expectGatewayError(.badRequest, "root resource cannot be deleted") {
            try await control.deleteResource(api: api.id, id: root)
        }
        try await control.deleteResource(api: api.id, id: pictures.id)
        #expect(try control.resources(api: api.id).map(\.path) == ["/", "/{proxy+}"])
    }

    @Test func methodsAndIntegrations() async throws {
        let control = try memoryControl()
        let api = try await control.createRestApi(name: "pictures")
        let all = try await control.ensureResource(api: api.id, path: "/api/pictures/all")
        #expect(
            try control.resources(api: api.id).map(\.path) == ["/", "/api", "/api/pictures", "/api/pictures/all"])
        _ = try await control.putMethod(api: api.id, resource: all.id, httpMethod: "get")
        await expectGatewayError(.conflict, "Method already exists for this resource") {
            _ = try await control.putMethod(api: api.id, resource: all.id, httpMethod: "GET")
        }
        await expectGatewayError(.badRequest, "Invalid HttpMethod specified") {
            _ = try await control.putMethod(api: api.id, resource: all.id, httpMethod: "TRACE")
        }
        await expectGatewayError(.notFound, "Invalid Method identifier specified") {
            _ = try await control.updateMethod(api: api.id, resource: all.id, httpMethod: "POST") {
                $0.apiKeyRequired = true
            }
        }
        let method = try await control.updateMethod(api: api.id, resource: all.id, httpMethod: "GET") {
            $0.apiKeyRequired = true
        }
        #expect(method.apiKeyRequired)

        let integration = try await control.putIntegration(
            api: api.id, resource: all.id, httpMethod: "GET",
            integration: Integration(
                type: .httpProxy, httpMethod: "get", uri: "http://pictures.internal/api/pictures/all"))
        #expect(integration.cacheNamespace == all.id)
        #expect(integration.httpMethod == "GET")
        #expect(integration.timeoutInMillis == 29_000)
        #expect(integration.passthroughBehavior == nil)

        await expectGatewayError(.badRequest, "Timeout should be between 50 ms and 29000 ms") {
            _ = try await control.updateIntegration(api: api.id, resource: all.id, httpMethod: "GET") {
                $0.timeoutInMillis = 30_000
            }
        }
        await expectGatewayError(.badRequest, "Invalid HTTP endpoint specified for URI") {
            _ = try await control.updateIntegration(api: api.id, resource: all.id, httpMethod: "GET") {
                $0.uri = "not a url"
            }
        }
        await expectGatewayError(.badRequest, "Invalid VPC link identifier specified: nolink") {
            _ = try await control.updateIntegration(api: api.id, resource: all.id, httpMethod: "GET") {
                $0.connectionType = .vpcLink
                $0.connectionId = "nolink"
            }
        }
        // A stage variable is resolved when the request is served, so it is accepted here.
        let viaVariable = try await control.updateIntegration(api: api.id, resource: all.id, httpMethod: "GET") {
            $0.connectionType = .vpcLink
            $0.connectionId = "${stageVariables.vpcLinkId}"
        }
        #expect(viaVariable.connectionType == .vpcLink)
        #expect(
            try control.method(api: api.id, resource: all.id, httpMethod: "GET").methodIntegration == viaVariable)

        _ = try await control.putIntegrationResponse(
            api: api.id, resource: all.id, httpMethod: "GET", response: IntegrationResponse(statusCode: "200"))
        await expectGatewayError(.badRequest, "Only one default integration response") {
            _ = try await control.putIntegrationResponse(
                api: api.id, resource: all.id, httpMethod: "GET", response: IntegrationResponse(statusCode: "500"))
        }
        _ = try await control.putIntegrationResponse(
            api: api.id, resource: all.id, httpMethod: "GET",
            response: IntegrationResponse(statusCode: "500", selectionPattern: "5\\d{2}"))
        await expectGatewayError(.badRequest, "not a regular expression") {
            _ = try await control.putIntegrationResponse(
                api: api.id, resource: all.id, httpMethod: "GET",
                response: IntegrationResponse(statusCode: "404", selectionPattern: "4\\d{2"))
        }
        _ = try await control.putMethodResponse(api: api.id, resource: all.id, httpMethod: "GET", statusCode: "200")
        await expectGatewayError(.badRequest, "Invalid status code '20'") {
            _ = try await control.putMethodResponse(api: api.id, resource: all.id, httpMethod: "GET", statusCode: "20")
        }
        await expectGatewayError(.badRequest, "Invalid model identifier specified: Picture") {
            _ = try await control.updateMethod(api: api.id, resource: all.id, httpMethod: "GET") {
                $0.requestModels = ["application/json": "Picture"]
            }
        }
        let stored = try control.method(api: api.id, resource: all.id, httpMethod: "GET")
        #expect(stored.methodIntegration?.integrationResponses.keys.sorted() == ["200", "500"])
        #expect(stored.methodResponses.keys.sorted() == ["200"])
        try await control.deleteIntegration(api: api.id, resource: all.id, httpMethod: "GET")
        #expect(try control.method(api: api.id, resource: all.id, httpMethod: "GET").methodIntegration == nil)
        try await control.deleteMethod(api: api.id, resource: all.id, httpMethod: "GET")
        #expect(try control.resource(api: api.id, id: all.id).resourceMethods.isEmpty)
    }

    @Test func modelsAreCheckedAndProtectedWhileInUse() async throws {
        let control = try memoryControl()
        let api = try await control.createRestApi(name: "models")
        let model = try await control.createModel(api: api.id, name: "Picture", schema: "{\"type\": \"object\"}")
        #expect(model.id.count == 6)
        await expectGatewayError(.conflict, "Model name already exists") {
            _ = try await control.createModel(api: api.id, name: "Picture", schema: "{}")
        }
        await expectGatewayError(.badRequest, "Model name must be alphanumeric: my_model") {
            _ = try await control.createModel(api: api.id, name: "my_model", schema: "{}")
        }
        await expectGatewayError(.badRequest, "Invalid model schema specified") {
            _ = try await control.createModel(api: api.id, name: "Broken", schema: "{not json")
        }
        let resource = try await control.ensureResource(api: api.id, path: "/pictures")
        _ = try await control.putMethod(
            api: api.id, resource: resource.id, httpMethod: "POST", requestModels: ["application/json": "Picture"])
        await expectGatewayError(.conflict, "Cannot delete model 'Picture'") {
            try await control.deleteModel(api: api.id, name: "Picture")
        }
        try await control.deleteMethod(api: api.id, resource: resource.id, httpMethod: "POST")
        try await control.deleteModel(api: api.id, name: "Picture")
        #expect(
            try control.models(api: api.id).map(\.name).sorted() == ["Empty", "Error"], "API Gateway's defaults")
    }
}

@Suite struct UpdateTests {
    @Test func renamingAResourceMovesEverythingBelowIt() async throws {
        let control = try memoryControl()
        let api = try await control.createRestApi(name: "rename")
        let deep = try await control.ensureResource(api: api.id, path: "/api/pictures/{id}")
        _ = try await control.ensureResource(api: api.id, path: "/apix")
        let pictures = try #require(try control.resources(api: api.id).first { $0.path == "/api/pictures" })
        let renamed = try await control.updateResource(api: api.id, id: pictures.id, pathPart: "photos")
        #expect(renamed.path == "/api/photos")
        #expect(renamed.pathPart == "photos")
        #expect(
            try control.resources(api: api.id).map(\.path) == [
                "/", "/api", "/api/photos", "/api/photos/{id}", "/apix",
            ])
        #expect(try control.resource(api: api.id, id: deep.id).path == "/api/photos/{id}")
        await expectGatewayError(.conflict, "already has this name: apix") {
            _ = try await control.updateResource(
                api: api.id, id: try control.resources(api: api.id).first { $0.path == "/api" }!.id,
                pathPart: "apix")
        }
        await expectGatewayError(.badRequest, "cannot become a greedy path variable") {
            _ = try await control.updateResource(api: api.id, id: pictures.id, pathPart: "{proxy+}")
        }
    }

    @Test func modelsValidatorsAndDeploymentsCanBeChanged() async throws {
        let control = try memoryControl()
        let api = try await control.createRestApi(name: "updates")
        _ = try await control.createModel(api: api.id, name: "Picture", schema: "{}")
        let model = try await control.updateModel(api: api.id, name: "Picture") {
            $0.schema = "{\"type\": \"object\"}"
            $0.name = "Renamed"
        }
        #expect(model.name == "Picture")
        #expect(model.schema == "{\"type\": \"object\"}")
        await expectGatewayError(.badRequest, "Invalid model schema specified") {
            _ = try await control.updateModel(api: api.id, name: "Picture") { $0.schema = "nope" }
        }
        let validator = try await control.createRequestValidator(
            api: api.id, name: "body", validateRequestBody: true, validateRequestParameters: false)
        _ = try await control.createRequestValidator(
            api: api.id, name: "params", validateRequestBody: false, validateRequestParameters: true)
        let changed = try await control.updateRequestValidator(api: api.id, id: validator.id) {
            $0.validateRequestParameters = true
        }
        #expect(changed.validateRequestParameters)
        await expectGatewayError(.conflict, "Validator with name params already exists") {
            _ = try await control.updateRequestValidator(api: api.id, id: validator.id) { $0.name = "params" }
        }
        let resource = try await control.ensureResource(api: api.id, path: "/a")
        _ = try await control.putMethod(api: api.id, resource: resource.id, httpMethod: "GET")
        _ = try await control.putIntegration(
            api: api.id, resource: resource.id, httpMethod: "GET", integration: Integration(type: .mock))
        let deployment = try await control.createDeployment(api: api.id, description: "first")
        let described = try await control.updateDeployment(api: api.id, id: deployment.id, description: "renamed")
        #expect(described.description == "renamed")
        #expect(try control.deployments(api: api.id).first?.description == "renamed")
        #expect(
            try control.deployedDefinition(api: api.id, deployment: deployment.id).resource(atPath: "/a") != nil)
    }
}
