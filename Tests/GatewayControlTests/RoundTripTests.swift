import Foundation
import GatewayControl
import GatewayImport
import GatewayModel
import Testing

/// import(export(api)) gives the same API, for every fixture and every export format.
@Suite struct RoundTripTests {
    static let cases: [(String, ExportFormat, Bool)] = Fixtures.importable.flatMap { name in
        ExportFormat.allCases.flatMap { format in [(name, format, false), (name, format, true)] }
    }

    @Test(arguments: cases)
    func exportThenImportGivesTheSameApi(fixture: String, format: ExportFormat, yaml: Bool) async throws {
        let control = try memoryControl()
        let original = try await control.importRestApi(try Fixtures.data(fixture))
        let exported = try await control.export(original.api.id, format: format, yaml: yaml)
        if yaml {
            #expect(!exported.hasPrefix("{"))
        } else {
            #expect(exported.hasPrefix("{"))
        }
        #expect(exported.contains(format == .swagger2 ? "swagger" : "openapi"))
        let again = try await control.importRestApi(Data(exported.utf8))
        let before = ApiShape(try control.definition(original.api.id))
        let after = ApiShape(try control.definition(again.api.id))
        #expect(before.resources.keys.sorted() == after.resources.keys.sorted())
        for path in before.resources.keys.sorted() {
            #expect(
                before.resources[path] == after.resources[path], "methods of \(path) differ after \(format) round trip")
        }
        #expect(before.models == after.models)
        #expect(before == after)
    }

    /// Templates come back byte for byte: VTL with quotes, backslashes, `$`, `#`, tabs, CRLF and non-ASCII text;
    /// with them the binary media types and both content handlings.
    @Test(arguments: [(ExportFormat.oas30, false), (.oas30, true), (.swagger2, false), (.swagger2, true)])
    func mappingTemplatesSurviveExportAndImport(format: ExportFormat, yaml: Bool) async throws {
        let request =
            "#set($inputRoot = $input.path('$'))\r\n{\n\t\"name\": \"$util.escapeJavaScript($inputRoot.name)\",\n  \"path\": \"\\$x #if(true)ü 日本#end\"\n}\n"
        let response = "#foreach($i in $input.path('$.items'))$i.id#if($foreach.hasNext),#end#end  \n"
        let document = """
            {"openapi": "3.0.1", "info": {"title": "templates", "version": "1"},
             "x-amazon-apigateway-binary-media-types": ["image/png", "*/*"],
             "paths": {"/t": {"post": {
              "responses": {"200": {"description": "ok"}},
              "x-amazon-apigateway-integration": {"type": "mock", "passthroughBehavior": "never",
                "contentHandling": "CONVERT_TO_TEXT",
                "requestTemplates": {"application/json": \(Self.json(request))},
                "responses": {"default": {"statusCode": "200", "contentHandling": "CONVERT_TO_BINARY",
                  "responseTemplates": {"application/json": \(Self.json(response))}}}}}}}}
            """
        let control = try memoryControl()
        let original = try await control.importRestApi(Data(document.utf8)).api
        let exported = try await control.export(original.id, format: format, yaml: yaml)
        let again = try await control.importRestApi(Data(exported.utf8)).api
        for api in [original, again] {
            let method = try #require(
                try control.resources(api: api.id).first { $0.path == "/t" }?.resourceMethods["POST"])
            #expect(method.methodIntegration?.requestTemplates["application/json"] == request, "\(format) yaml \(yaml)")
            #expect(
                method.methodIntegration?.integrationResponses["200"]?.responseTemplates["application/json"] == response
            )
            #expect(method.methodIntegration?.contentHandling == .convertToText)
            #expect(method.methodIntegration?.integrationResponses["200"]?.contentHandling == .convertToBinary)
            #expect(try control.restApi(api.id).binaryMediaTypes == ["image/png", "*/*"])
        }
    }

    static func json(_ text: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed]), as: UTF8.self)
    }

    @Test func exportCarriesTheExtensionsApiGatewayReads() async throws {
        let control = try memoryControl()
        let api = try await control.importRestApi(try Fixtures.data("aws-docs-vpclink-swagger2.json")).api
        let text = try await control.export(api.id, format: .swagger2)
        #expect(text.contains("\"x-amazon-apigateway-integration\" : {"))
        #expect(text.contains("\"connectionType\" : \"VPC_LINK\""))
        #expect(text.contains("\"connectionId\" : \"${stageVariables.vpcLinkId}\""))
        #expect(text.contains("\"type\" : \"http_proxy\""))
        #expect(text.contains("\"host\" : \"\(api.id).execute-api.us-east-1.amazonaws.com\""))
        let bare = try await control.export(api.id, format: .swagger2, extensions: false)
        #expect(!bare.contains("x-amazon-apigateway"))
    }

    @Test func apiKeyRequirementExportsAsSecurity() async throws {
        let control = try memoryControl()
        let api = try await control.importRestApi(try Fixtures.data("aws-docs-proxy-resource-oas30.json")).api
        let resource = try #require(try control.resources(api: api.id).first { $0.path == "/{proxy+}" })
        _ = try await control.updateMethod(api: api.id, resource: resource.id, httpMethod: "ANY") {
            $0.apiKeyRequired = true
        }
        let text = try await control.export(api.id, format: .oas30, yaml: true)
        #expect(text.contains("securitySchemes:"))
        #expect(text.contains("name: x-api-key"))
        let again = try await control.importRestApi(Data(text.utf8))
        let method = try control.resources(api: again.api.id).first { $0.path == "/{proxy+}" }?.resourceMethods[
            "ANY"]
        #expect(method?.apiKeyRequired == true)
        #expect(again.warnings.isEmpty)
    }
}
