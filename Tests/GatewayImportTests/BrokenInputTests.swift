import Foundation
import GatewayImport
import Testing

/// Every broken document is refused with what is wrong and where.
@Suite struct BrokenInputTests {
    static let minimal = """
        {
          "swagger": "2.0",
          "info": {"title": "T", "version": "1"},
          "paths": {
            "/pets": {
              "get": {
                "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/Pet"}}}
              }
            }
          },
          "definitions": {"Pet": {"type": "object"}}
        }
        """

    @Test func minimalDocumentImports() throws {
        #expect(Fixtures.failure(Self.minimal) == nil)
    }

    @Test func truncatedJSONSaysWhereItEnds() throws {
        let text = String(Self.minimal.prefix(120))
        let error = try #require(Fixtures.failure(text))
        #expect(error.description.hasPrefix("The document is not valid JSON"))
        #expect(error.description.contains("end of the document"))
        #expect(error.problems.first?.line == text.split(separator: "\n", omittingEmptySubsequences: false).count)
    }

    @Test func badJSONValueHasLineAndColumn() throws {
        let error = try #require(Fixtures.failure("{\n  \"swagger\": \"2.0\",\n  \"paths\": nope\n}"))
        #expect(error.description.contains("not valid JSON"))
        #expect(error.description.contains("line 3"))
    }

    @Test func truncatedYAMLSaysWhere() throws {
        let yaml = """
            openapi: 3.0.1
            info:
              title: T
              version: "1"
            paths:
              /pets:
                get:
                  responses:
                    "200": {description: "ok"
            """
        let error = try #require(Fixtures.failure(yaml))
        #expect(error.description.hasPrefix("The document is not valid YAML"))
        #expect(error.description.contains("line "))
    }

    @Test func swagger2DocumentWithOpenAPI3Fields() throws {
        let text = Self.minimal.replacingOccurrences(
            of: "\"definitions\": {\"Pet\": {\"type\": \"object\"}}",
            with: "\"definitions\": {\"Pet\": {\"type\": \"object\"}}, \"components\": {\"schemas\": {}}")
        let error = try #require(Fixtures.failure(text))
        #expect(error.description.contains("'components' is an OpenAPI 3 field"))
        #expect(error.problems.first?.pointer == "/components")
        #expect(error.problems.first?.line == 11)

        let withBody = Self.minimal.replacingOccurrences(of: "\"get\": {", with: "\"get\": {\"requestBody\": {},")
        #expect(Fixtures.failure(withBody)?.description.contains("'requestBody' is an OpenAPI 3 field") == true)
    }

    @Test func openAPI3DocumentWithSwagger2BodyParameter() throws {
        let yaml = """
            openapi: 3.0.0
            info: {title: T, version: "1"}
            paths:
              /pets:
                post:
                  parameters:
                    - {name: body, in: body, schema: {type: object}}
                  responses: {"200": {description: ok}}
            """
        let error = try #require(Fixtures.failure(yaml))
        #expect(error.description.contains("Invalid parameter location 'body' for OpenAPI 3.0"))
        #expect(error.problems.first?.pointer == "/paths/~1pets/post/parameters/0/in")
        #expect(error.problems.first?.line == 7)
    }

    @Test func invalidResourcePaths() throws {
        for (path, reason) in [
            ("/pets/{id}x", "path part '{id}x'"), ("/pets/a b", "path part 'a b'"),
            ("/{proxy+}/more", "must be the last path part"), ("pets", "must start with '/'"),
            ("/a//b", "empty segment"),
        ] {
            let text = Self.minimal.replacingOccurrences(of: "\"/pets\"", with: "\"\(path)\"")
            let error = try #require(Fixtures.failure(text), "\(path) was accepted")
            #expect(error.description.contains("Invalid resource path '\(path)'"))
            #expect(error.description.contains(reason), "\(error)")
        }
    }

    @Test func referenceToNowhere() throws {
        let text = Self.minimal.replacingOccurrences(of: "#/definitions/Pet\"", with: "#/definitions/Cat\"")
        let error = try #require(Fixtures.failure(text))
        #expect(error.description.contains("'#/definitions/Cat' names a model that the document does not define"))
        #expect(error.problems.first?.pointer == "/paths/~1pets/get/responses/200/schema/$ref")

        let parameterRef = """
            openapi: 3.0.0
            info: {title: T, version: "1"}
            paths:
              /pets:
                get:
                  parameters: [{$ref: "#/components/parameters/Missing"}]
                  responses: {"200": {description: ok}}
            """
        let second = try #require(Fixtures.failure(parameterRef))
        #expect(second.description.contains("'#/components/parameters/Missing' points to nothing in the document"))
    }

    @Test func circularModelsImportAndCircularReferencesAreRefused() throws {
        let circularModels = """
            openapi: 3.0.0
            info: {title: T, version: "1"}
            paths:
              /nodes:
                get:
                  responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Node"}}}}}
            components:
              schemas:
                Node:
                  type: object
                  properties:
                    children: {type: array, items: {$ref: "#/components/schemas/Node"}}
                    parent: {$ref: "#/components/schemas/Node"}
            """
        let imported = try OpenAPIImporter.read(Data(circularModels.utf8), apiId: "abcdef1234")
        #expect(imported.models.first?.schema?.contains("restapis/abcdef1234/models/Node") == true)

        let loop = """
            openapi: 3.0.0
            info: {title: T, version: "1"}
            paths:
              /pets:
                get:
                  parameters: [{$ref: "#/components/parameters/A"}]
                  responses: {"200": {description: ok}}
            components:
              parameters:
                A: {$ref: "#/components/parameters/B"}
                B: {$ref: "#/components/parameters/A"}
            """
        #expect(Fixtures.failure(loop)?.description.contains("leads back to itself") == true)
    }

    @Test func externalReferenceIsReportedNotFollowed() throws {
        let text = Self.minimal.replacingOccurrences(of: "#/definitions/Pet\"", with: "other.yaml#/Pet\"")
        let imported = try OpenAPIImporter.read(Data(text.utf8), apiId: "abcdef1234")
        #expect(
            imported.warnings.contains { $0.message.contains("External reference 'other.yaml#/Pet' is not followed") })
        #expect(Fixtures.failure(text, options: .init(failOnWarnings: true)) != nil)
    }

    @Test func documentOverSixMegabytes() throws {
        let padding = String(repeating: "x", count: 7 * 1024 * 1024)
        let text = Self.minimal.replacingOccurrences(
            of: "\"title\": \"T\"", with: "\"title\": \"T\", \"description\": \"\(padding)\"")
        let error = try #require(Fixtures.failure(text))
        #expect(error.description.contains("7.0 MB"))
        #expect(error.description.contains("at most 6 MB"))
    }

    @Test func wrongTypesAndVersions() throws {
        #expect(Fixtures.failure("[1, 2]")?.description.contains("must be an object at the top level") == true)
        #expect(
            Fixtures.failure("{\"info\": {}}")?.description.contains("neither a 'swagger' nor an 'openapi'") == true)
        #expect(
            Fixtures.failure("{\"swagger\": \"1.2\", \"paths\": {}}")?.description.contains(
                "Unsupported Swagger version '1.2'") == true)
        #expect(
            Fixtures.failure("openapi: 4.0.0\npaths: {}")?.description.contains("Unsupported OpenAPI version") == true)
        let error = try #require(
            Fixtures.failure("{\"swagger\": \"2.0\", \"info\": {\"title\": \"T\"}, \"paths\": []}"))
        #expect(error.description.contains("'paths' must be an object, not an array"), "\(error)")
        let badIntegration = Self.minimal.replacingOccurrences(
            of: "\"responses\"", with: "\"x-amazon-apigateway-integration\": {\"type\": \"lambda\"}, \"responses\"")
        #expect(Fixtures.failure(badIntegration)?.description.contains("Invalid integration type 'lambda'") == true)
        let badTimeout = Self.minimal.replacingOccurrences(
            of: "\"responses\"",
            with: "\"x-amazon-apigateway-integration\": {\"type\": \"mock\", \"timeoutInMillis\": 40000}, \"responses\""
        )
        #expect(
            Fixtures.failure(badTimeout)?.description.contains("Timeout should be between 50 ms and 29000 ms") == true)
        #expect(Fixtures.failure("   ")?.description == "The document is empty")
    }

    @Test func modelNamesMustBeAlphanumeric() throws {
        let text = Self.minimal.replacingOccurrences(of: "\"Pet\"", with: "\"body_1\"").replacingOccurrences(
            of: "#/definitions/Pet", with: "#/definitions/body_1")
        let error = try #require(Fixtures.failure(text))
        #expect(
            error.description.contains("Unable to create model for 'body_1': Model name must be alphanumeric: body_1"))
    }

    @Test func severalErrorsAreAllListed() throws {
        let text = Self.minimal.replacingOccurrences(of: "\"/pets\"", with: "\"/a b\"").replacingOccurrences(
            of: "\"definitions\": {\"Pet\"", with: "\"components\": {}, \"definitions\": {\"Pet\"")
        let error = try #require(Fixtures.failure(text))
        #expect(error.problems.count >= 2)
        #expect(error.description.hasPrefix("Errors found during import:\n\t"))
    }
}
