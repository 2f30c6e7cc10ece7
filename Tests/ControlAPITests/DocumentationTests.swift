import Foundation
import Testing

/// Documentation parts and versions: the control API's operations, the import of
/// `x-amazon-apigateway-documentation`, a stage's documentation version and its export.
@Suite struct DocumentationTests {
    static let recorded = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/aws-recorded/import")

    @Test func partsAreCreatedListedChangedAndDeleted() async throws {
        let client = try Client()
        let (api, _) = try await client.createApi("documented")
        let parts = "/restapis/\(api)/documentation/parts"

        let whole = try await client.call(
            "POST", parts, ["location": ["type": "API"], "properties": "{\"description\": \"The API\"}"])
        #expect(whole.status == 201, "\(whole.text)")
        let method = try await client.call(
            "POST", parts,
            [
                "location": ["type": "METHOD", "path": "/pets", "method": "get"],
                "properties": "{\"summary\": \"List\"}",
            ])
        #expect(method.status == 201, "\(method.text)")
        // The location comes back with the method's case and the defaults API Gateway fills in.
        #expect((method["location"] as? [String: String]) == ["type": "METHOD", "path": "/pets", "method": "GET"])
        let response = try await client.call(
            "POST", parts, ["location": ["type": "RESPONSE"], "properties": "{\"description\": \"ok\"}"])
        #expect(
            (response["location"] as? [String: String]) == [
                "type": "RESPONSE", "path": "/", "method": "*", "statusCode": "*",
            ])

        // Each bad input says what is wrong, and nothing is stored.
        let again = try await client.call("POST", parts, ["location": ["type": "API"], "properties": "{}"])
        #expect(again.status == 409)
        let misplaced = try await client.call(
            "POST", parts, ["location": ["type": "API", "path": "/pets"], "properties": "{}"])
        #expect(misplaced.status == 400)
        #expect(misplaced.message?.contains("'path' is not a valid field for a part of type API") == true)
        let nameless = try await client.call(
            "POST", parts, ["location": ["type": "QUERY_PARAMETER", "path": "/pets"], "properties": "{}"])
        #expect(nameless.message?.contains("needs a 'name'") == true)
        let notObject = try await client.call(
            "POST", parts, ["location": ["type": "MODEL", "name": "Pet"], "properties": "[1]"])
        #expect(notObject.message == "Documentation part properties must be a JSON object")
        #expect(try await client.call("GET", parts).items.count == 3)

        #expect(try await client.call("GET", parts + "?type=METHOD").items.count == 1)
        #expect(try await client.call("GET", parts + "?path=/pets").items.count == 1)
        let id = try #require(method.string("id"))
        let changed = try await client.call(
            "PATCH", "\(parts)/\(id)", patch(("replace", "/properties", "{\"summary\": \"All pets\"}")))
        #expect(changed.string("properties") == "{\"summary\": \"All pets\"}")
        let moved = try await client.call("PATCH", "\(parts)/\(id)", patch(("replace", "/location/path", "/x")))
        #expect(moved.status == 400)
        #expect(try await client.call("DELETE", "\(parts)/\(id)").status == 202)
        let gone = try await client.call("GET", "\(parts)/\(id)")
        #expect(gone.status == 404)
        #expect(gone.message == "Invalid Documentation part identifier specified")
    }

    @Test func importedDocumentationIsKeptPublishedAndExported() async throws {
        let client = try Client()
        let document = try Data(contentsOf: Self.recorded.appendingPathComponent("petstore-authorizer.swagger.json"))
        let imported = try await client.call("POST", "/restapis?mode=import", document)
        #expect(imported.status == 201, "\(imported.text)")
        #expect(imported["warnings"] == nil, "\(imported.text)")
        let api = try #require(imported.string("id"))
        let parts = try await client.call("GET", "/restapis/\(api)/documentation/parts")
        #expect(parts.items.count == 14)
        let petId = parts.items.first {
            ($0["location"] as? [String: String])?["type"] == "PATH_PARAMETER"
        }
        #expect(
            (petId?["location"] as? [String: String]) == [
                "type": "PATH_PARAMETER", "path": "/pets/{petId}", "method": "*", "name": "petId",
            ])
        #expect(petId?["properties"] as? String == "{\"description\":\"The id of the pet to retrieve\"}")

        // A version publishes the parts as they are; a stage names it; the stage's export carries it.
        try await client.call("POST", "/restapis/\(api)/deployments", ["stageName": "prod"])
        let version = try await client.call(
            "POST", "/restapis/\(api)/documentation/versions",
            ["documentationVersion": "v1", "description": "first", "stageName": "prod"])
        #expect(version.status == 201, "\(version.text)")
        #expect(version.string("version") == "v1")
        #expect(version["createdDate"] != nil)
        #expect(try await client.call("GET", "/restapis/\(api)/stages/prod").string("documentationVersion") == "v1")
        let duplicate = try await client.call(
            "POST", "/restapis/\(api)/documentation/versions", ["documentationVersion": "v1"])
        #expect(duplicate.status == 409)
        let published = try await client.call("DELETE", "/restapis/\(api)/documentation/versions/v1")
        #expect(published.status == 409)
        let unknown = try await client.call(
            "PATCH", "/restapis/\(api)/stages/prod", patch(("replace", "/documentationVersion", "v9")))
        #expect(unknown.status == 404)

        let export = try await client.call(
            "GET", "/restapis/\(api)/stages/prod/exports/swagger?extensions=documentation")
        let exported = try #require(export.json["x-amazon-apigateway-documentation"] as? [String: Any])
        #expect(exported["version"] as? String == "v1")
        #expect((exported["documentationParts"] as? [Any])?.count == 14)
        let plain = try await client.call("GET", "/restapis/\(api)/stages/prod/exports/swagger")
        #expect(plain.json["x-amazon-apigateway-documentation"] == nil)

        // The export imports back with the same parts.
        let again = try await client.call("POST", "/restapis?mode=import", Data(export.text.utf8))
        let copy = try #require(again.string("id"))
        #expect(try await client.call("GET", "/restapis/\(copy)/documentation/parts").items.count == 14)
    }

    @Test func partsAreImportedInMergeAndOverwriteModes() async throws {
        let client = try Client()
        let (api, _) = try await client.createApi("documented")
        let parts = "/restapis/\(api)/documentation/parts"
        try await client.call(
            "POST", parts, ["location": ["type": "API"], "properties": "{\"description\": \"old\"}"])
        try await client.call(
            "POST", parts, ["location": ["type": "MODEL", "name": "Pet"], "properties": "{\"description\": \"pet\"}"])
        let document = """
            {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {},
             "x-amazon-apigateway-documentation": {"version": "1", "documentationParts": [
               {"location": {"type": "API"}, "properties": {"description": "new"}},
               {"location": {"type": "RESOURCE", "path": "/pets"}, "properties": {"description": "pets"}}]}}
            """
        let merged = try await client.call("PUT", parts + "?mode=merge", Data(document.utf8))
        #expect(merged.status == 200, "\(merged.text)")
        #expect((merged["ids"] as? [String])?.count == 2)
        let afterMerge = try await client.call("GET", parts)
        #expect(afterMerge.items.count == 3)
        let apiPart = afterMerge.items.first { ($0["location"] as? [String: String])?["type"] == "API" }
        #expect(apiPart?["properties"] as? String == "{\"description\":\"new\"}")

        let overwritten = try await client.call("PUT", parts + "?mode=overwrite", Data(document.utf8))
        #expect(overwritten.status == 200)
        #expect(try await client.call("GET", parts).items.count == 2)
        let bad = try await client.call(
            "PUT", parts,
            Data(
                #"{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}, "x-amazon-apigateway-documentation": {"documentationParts": [{"location": {"type": "SOMEWHERE"}}]}}"#
                    .utf8))
        #expect(bad.status == 400)
        #expect(bad.message?.contains("Invalid documentation part type 'SOMEWHERE'") == true)
        #expect(try await client.call("GET", parts).items.count == 2)
    }
}

/// Gateway responses as AWS answers them: defaults, the families' overrides, bad types.
@Suite struct GatewayResponseShapeTests {
    @Test func putsGetDefaultsAndFamiliesShowInTheTypesNotSet() async throws {
        let client = try Client()
        let (api, _) = try await client.createApi("responses")
        let base = "/restapis/\(api)/gatewayresponses"
        let put = try await client.call("PUT", "\(base)/THROTTLED", ["statusCode": "503"])
        #expect(put.status == 201)
        #expect((put["responseParameters"] as? [String: String]) == [:])
        #expect(
            (put["responseTemplates"] as? [String: String]) == [
                "application/json": "{\"message\":$context.error.messageString}"
            ])
        #expect(put["defaultResponse"] as? Bool == false)

        try await client.call(
            "PUT", "\(base)/DEFAULT_4XX",
            [
                "responseParameters": ["gatewayresponse.header.Access-Control-Allow-Origin": "'*'"],
                "responseTemplates": ["application/json": "{\"error\":$context.error.messageString}"],
            ])
        let invalidKey = try await client.call("GET", "\(base)/INVALID_API_KEY")
        #expect(invalidKey["statusCode"] as? String == "403")
        #expect(invalidKey["defaultResponse"] as? Bool == true)
        #expect(
            (invalidKey["responseParameters"] as? [String: String]) == [
                "gatewayresponse.header.Access-Control-Allow-Origin": "'*'"
            ])
        let timeout = try await client.call("GET", "\(base)/INTEGRATION_TIMEOUT")
        #expect((timeout["responseParameters"] as? [String: String]) == [:], "a 5XX type is not a 4XX's")
        #expect(try await client.call("GET", "\(base)/THROTTLED")["statusCode"] as? String == "503")

        let bad = try await client.call("PUT", "\(base)/NOT_A_TYPE", ["statusCode": "400"])
        #expect(bad.status == 400)
        #expect(bad.errorType == "ValidationException")
        #expect(bad.message?.contains("Member must satisfy enum value set") == true)
    }

    @Test func aFamilysStatusShowsInItsTypesAndPatchesFollowAWSRules() async throws {
        let client = try Client()
        let (api, _) = try await client.createApi("families")
        let base = "/restapis/\(api)/gatewayresponses"
        try await client.call("PUT", "\(base)/DEFAULT_5XX", ["statusCode": "599"])
        #expect(try await client.call("GET", "\(base)/INTEGRATION_FAILURE")["statusCode"] as? String == "599")
        // A put without a status takes the type's own, not the family's.
        let failure = try await client.call("PUT", "\(base)/AUTHORIZER_FAILURE", ["responseParameters": [:]])
        #expect(failure["statusCode"] as? String == "500")

        let wrongPath = try await client.call("PATCH", "\(base)/DEFAULT_5XX", patch(("add", "/statusCode", "444")))
        #expect(wrongPath.status == 400)
        #expect(wrongPath.message == "Invalid patch path /statusCode")
        let absent = try await client.call(
            "PATCH", "\(base)/DEFAULT_5XX", patch(("replace", "/responseParameters/gatewayresponse.header.x", "'y'")))
        #expect(absent.status == 404)
        #expect(absent.message == "Invalid parameter name specified")
        let empty = try await client.call(
            "PATCH", "\(base)/DEFAULT_5XX", patch(("add", "/responseTemplates/application~1xml", nil)))
        #expect(empty.message == "Invalid null or empty value in responseTemplates")
        let notSet = try await client.call("DELETE", "\(base)/DEFAULT_4XX")
        #expect(notSet.status == 404)
        #expect(notSet.message == "Gateway response type not defined on api")
        // Nothing of the refused patches was applied.
        let after = try await client.call("GET", "\(base)/DEFAULT_5XX")
        #expect(after["statusCode"] as? String == "599")
        #expect((after["responseParameters"] as? [String: String]) == [:])
    }
}

@Suite struct MethodAndIntegrationResponseTests {
    /// A client with an API whose root has a MOCK GET.
    static func mockedGet(_ name: String) async throws -> (Client, api: String, root: String) {
        let client = try Client()
        let (api, root) = try await client.createApi(name)
        try await client.mockMethod(api: api, resource: root, [:])
        return (client, api, root)
    }

    @Test func everyUnknownOpAndABadStatusAreReportedTogether() async throws {
        let (client, api, root) = try await Self.mockedGet("ops")
        let path = "/restapis/\(api)/resources/\(root)/methods/GET/responses/wrong"
        let answer = try await client.call(
            "PATCH", path, patch(("bad", "/responseModels/x", "Empty"), ("remove", "/x", nil), ("worse", "/y", nil)))
        #expect(answer.status == 400)
        #expect(answer.errorType == "ValidationException")
        let message = try #require(answer.message)
        #expect(
            message.hasPrefix(
                "3 validation errors detected: Value 'bad' at 'updateMethodResponseInput.patchOperations.1.member.op'"))
        #expect(message.contains("Value 'worse' at 'updateMethodResponseInput.patchOperations.3.member.op'"))
        #expect(
            message.hasSuffix(
                "Value 'wrong' at 'statusCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [1-5]\\d\\d"
            ))
    }

    @Test func methodResponsePatchesNeedWhatTheyChangeAndEmptyMapsShowAsGiven() async throws {
        let (client, api, root) = try await Self.mockedGet("responses")
        let path = "/restapis/\(api)/resources/\(root)/methods/GET/responses/201"
        let put = try await client.call(
            "PUT", path, ["responseParameters": [String: Bool](), "responseModels": ["application/json": "Empty"]])
        #expect((put["responseParameters"] as? [String: Bool]) == [:], "an empty map given is answered")
        let missing = try await client.call("PATCH", path, patch(("replace", "/responseParameters/nope", "true")))
        #expect(missing.status == 404)
        #expect(missing.message == "Invalid parameter name specified")
        let noModel = try await client.call("PATCH", path, patch(("remove", "/responseModels/text~1plain", nil)))
        #expect(noModel.message == "Content-Type specified was not found")
        let removed = try await client.call("PATCH", path, patch(("remove", "/responseModels/application~1json", nil)))
        #expect(removed.status == 201)
        #expect(removed["responseModels"] == nil, "a map a patch empties is left out")
        #expect((removed["responseParameters"] as? [String: Bool]) == [:])
    }

    @Test func integrationResponsesKeepAnEmptyPatternAndANullTemplate() async throws {
        let (client, api, root) = try await Self.mockedGet("integration responses")
        let path = "/restapis/\(api)/resources/\(root)/methods/GET/integration/responses/200"
        let put = try await client.call(
            "PUT", path, ["selectionPattern": "", "responseTemplates": ["application/json": NSNull()]])
        #expect(put.status == 201, "\(put.text)")
        #expect(put.string("selectionPattern") == "")
        #expect((put["responseTemplates"] as? [String: Any])?["application/json"] is NSNull)
        let badType = try await client.call("PUT", path, ["responseTemplates": ["123": "{}"]])
        #expect(badType.message == "Validation Result: warnings : [], errors : [Invalid content type specified: 123]")
        let number = try await client.call("PUT", path, ["responseTemplates": ["application/json": 123]])
        #expect(number.errorType == "SerializationException")
        let noIntegration = try await client.call(
            "DELETE", "/restapis/\(api)/resources/\(root)/methods/POST/integration/responses/200")
        #expect(noIntegration.message == "Invalid Integration identifier specified")
    }
}
