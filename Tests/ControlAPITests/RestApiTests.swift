import Foundation
import Testing

@Suite struct RestApiTests {
    @Test func createGetUpdateDeleteWithApiGatewaysShapesAndErrors() async throws {
        let client = try Client()
        let created = try await client.call(
            "POST", "/restapis",
            [
                "name": "pictures", "description": "d", "endpointConfiguration": ["types": ["REGIONAL"]],
                "tags": ["team": "a"],
            ])
        #expect(created.status == 201)
        let id = try #require(created.string("id"))
        #expect(id.count == 10)
        #expect(created["createdDate"] is NSNumber, "timestamps are epoch seconds")
        #expect((created["endpointConfiguration"] as? [String: Any])?["types"] as? [String] == ["REGIONAL"])
        #expect(created.string("rootResourceId")?.isEmpty == false)
        #expect(created.headers.first(name: "x-amzn-RequestId") != nil)

        let updated = try await client.call(
            "PATCH", "/restapis/\(id)",
            patch(
                ("replace", "/name", "photos"), ("add", "/binaryMediaTypes/image~1png", nil),
                ("replace", "/apiKeySource", "AUTHORIZER")))
        #expect(updated.status == 200)
        #expect(updated.string("name") == "photos")
        #expect(updated["binaryMediaTypes"] as? [String] == ["image/png"])
        #expect(updated.string("apiKeySource") == "AUTHORIZER")
        #expect(try client.control.restApi(id).name == "photos", "the change is in the state")

        #expect(try await client.call("DELETE", "/restapis/\(id)").status == 202)
        let gone = try await client.call("GET", "/restapis/\(id)")
        #expect(gone.status == 404)
        #expect(gone.errorType == "NotFoundException")
        #expect(gone.message == "Invalid API identifier specified 123456789012:\(id)")
    }

    @Test func badInputIsRefusedWithWhatAndWhereAndChangesNothing() async throws {
        let client = try Client()
        let id = try #require(try await client.call("POST", "/restapis", ["name": "a"]).string("id"))

        let badPath = try await client.call(
            "PATCH", "/restapis/\(id)", patch(("replace", "/name", "b"), ("replace", "/colour", "red")))
        #expect(badPath.status == 400)
        #expect(badPath.errorType == "BadRequestException")
        #expect(badPath.message?.hasPrefix("Invalid patch path '/colour' specified for op 'replace'.") == true)
        #expect(try client.control.restApi(id).name == "a", "the good operation before it was not applied")

        let badOp = try await client.call("PATCH", "/restapis/\(id)", patch(("frobnicate", "/name", "b")))
        #expect(badOp.errorType == "ValidationException")

        let badEnum = try await client.call("POST", "/restapis", ["name": "x", "apiKeySource": "COOKIE"])
        #expect(badEnum.status == 400)
        #expect(badEnum.errorType == "ValidationException")
        #expect(badEnum.message?.contains("Member must satisfy enum value set: [AUTHORIZER, HEADER]") == true)

        let badType = try await client.call("POST", "/restapis", ["name": 7])
        #expect(badType.status == 400)
        #expect(badType.message == "name must be a string")

        let notJSON = try await client.call("POST", "/restapis", Data("{name".utf8))
        #expect(notJSON.status == 400)
        #expect(notJSON.errorType == "SerializationException")

        let sdk = try await client.call("GET", "/restapis/\(id)/stages/test/sdks/javascript")
        #expect(sdk.status == 501)
        #expect(sdk.errorType == "NotImplementedException")
        #expect(sdk.message?.hasPrefix("Gatehouse does not implement SDK generation") == true)

        let noName = try await client.call("POST", "/restapis", [String: Any]())
        #expect(noName.message == "Invalid REST API name specified")

        let wrongMethod = try await client.call("POST", "/restapis/\(id)")
        #expect(wrongMethod.status == 400)
        #expect(
            wrongMethod.message?.contains("GET, PATCH, PUT") == true || wrongMethod.message?.contains("DELETE") == true)
        #expect(try client.control.restApis().count == 1)
    }

    @Test func theCustomIdTagChoosesTheId() async throws {
        let client = try Client()
        let created = try await client.call("POST", "/restapis", ["name": "a", "tags": ["_custom_id_": "pictures01"]])
        #expect(created.string("id") == "pictures01")
        #expect(try await client.call("GET", "/restapis/pictures01").string("name") == "a")
        let taken = try await client.call("POST", "/restapis", ["name": "b", "tags": ["_custom_id_": "pictures01"]])
        #expect(taken.status == 409)
        #expect(
            try await client.call("POST", "/restapis", ["name": "b", "tags": ["_custom_id_": "a/b"]]).status == 400)
        #expect(try client.control.restApis().count == 1)
    }

    @Test func listsArePagedWithLimitAndPosition() async throws {
        let client = try Client()
        for name in ["a", "b", "c", "d", "e"] { try await client.call("POST", "/restapis", ["name": name]) }
        let first = try await client.call("GET", "/restapis?limit=2")
        #expect(first.items.count == 2)
        let position = try #require(first.string("position"))
        let second = try await client.call("GET", "/restapis?limit=2&position=\(position)")
        #expect(second.items.count == 2)
        let third = try await client.call(
            "GET", "/restapis?limit=2&position=\(try #require(second.string("position")))")
        #expect(third.items.count == 1)
        #expect(third.string("position") == nil)
        let names = (first.items + second.items + third.items).compactMap { $0["name"] as? String }
        #expect(names.sorted() == ["a", "b", "c", "d", "e"])
        // A limit below 1 is the default page, as AWS answers GetApiKeys with limit=-1; a word is still refused.
        #expect(try await client.call("GET", "/restapis?limit=0").items.count == 5)
        #expect(try await client.call("GET", "/restapis?limit=-1").items.count == 5)
        #expect(try await client.call("GET", "/restapis?limit=many").status == 400)
        #expect(try await client.call("GET", "/restapis?position=bogus").status == 400)
        #expect(try await client.call("GET", "/restapis").items.count == 5, "25 by default")
    }

    @Test func importPutAndExportTheDocument() async throws {
        let client = try Client()
        let imported = try await client.call(
            "POST", "/restapis?mode=import&endpointConfigurationTypes=REGIONAL",
            try Fixtures.data("aws-console-petstore-swagger2.json"))
        #expect(imported.status == 201)
        let id = try #require(imported.string("id"))
        #expect(imported["warnings"] == nil, "the console's petstore imports without a warning, its documentation too")
        #expect(try await client.call("GET", "/restapis/\(id)/documentation/parts").items.isEmpty == false)
        let resources = try await client.call("GET", "/restapis/\(id)/resources?embed=methods")
        let paths = resources.items.compactMap { $0["path"] as? String }.sorted()
        #expect(paths == ["/", "/pets", "/pets/{petId}"])
        let pets = try #require(resources.items.first { $0["path"] as? String == "/pets" })
        let methods = try #require(pets["resourceMethods"] as? [String: [String: Any]])
        #expect(Set(methods.keys) == ["GET", "POST", "OPTIONS"])
        #expect(methods["GET"]?["methodIntegration"] != nil, "embed=methods gives whole methods")

        let broken = try await client.call("PUT", "/restapis/\(id)?mode=overwrite", Data("openapi: [".utf8))
        #expect(broken.status == 400)
        #expect(broken.message?.contains("line") == true)
        #expect(try await client.call("GET", "/restapis/\(id)/resources").items.count == 3, "nothing changed")

        let overwritten = try await client.call(
            "PUT", "/restapis/\(id)?mode=overwrite", try Fixtures.data("aws-docs-proxy-resource-oas30.json"))
        #expect(overwritten.status == 200)
        let after = try await client.call("GET", "/restapis/\(id)/resources")
        #expect(after.items.compactMap { $0["path"] as? String }.contains("/{proxy+}"))
        #expect(
            try await client.call("PUT", "/restapis/\(id)?mode=replace", Data()).message
                == "Enumeration value of OpenAPI import mode must be \"overwrite\" or \"merge\"")

        try await client.call("POST", "/restapis/\(id)/deployments", ["stageName": "prod"])
        let json = try await client.call(
            "GET", "/restapis/\(id)/stages/prod/exports/oas30?extensions=integrations",
            headers: ["Accept": "application/json"])
        #expect(json.status == 200)
        // As AWS answers (recorded in LocalStack's export tests): a JSON export is an octet stream named after the
        // format and the API's version.
        #expect(json.headers.first(name: "Content-Type") == "application/octet-stream")
        #expect(json.headers.first(name: "Content-Disposition")?.hasPrefix("attachment; filename=\"oas30_") == true)
        #expect(json.text.contains("\"openapi\""))
        #expect(json.text.contains("x-amazon-apigateway-integration"))
        let yaml = try await client.call(
            "GET", "/restapis/\(id)/stages/prod/exports/swagger", headers: ["Accept": "application/yaml"])
        #expect(yaml.text.contains("swagger: "))
        #expect(!yaml.text.contains("x-amazon-apigateway-integration"), "no extensions unless asked")
        #expect(
            try await client.call("GET", "/restapis/\(id)/stages/prod/exports/raml").message
                == "No API exporter for type 'raml'")
        #expect(try await client.call("GET", "/restapis/\(id)/stages/nope/exports/oas30").status == 404)
    }

    @Test func modelsValidatorsAndGatewayResponses() async throws {
        let client = try Client()
        let id = try #require(try await client.call("POST", "/restapis", ["name": "a"]).string("id"))
        let model = try await client.call(
            "POST", "/restapis/\(id)/models",
            ["name": "Pet", "contentType": "application/json", "schema": "{\"type\": \"object\"}"])
        #expect(model.status == 201)
        #expect(try await client.call("GET", "/restapis/\(id)/models/Pet").string("schema") == "{\"type\": \"object\"}")
        let patched = try await client.call(
            "PATCH", "/restapis/\(id)/models/Pet", patch(("replace", "/description", "a pet")))
        #expect(patched.string("description") == "a pet")
        #expect(try await client.call("POST", "/restapis/\(id)/models", ["name": "Bad", "schema": "{"]).status == 400)
        #expect(
            try await client.call("POST", "/restapis/\(id)/models", ["schema": "{}"]).message
                == "Model name must be non-empty", "AWS's recorded wording")

        let validator = try await client.call(
            "POST", "/restapis/\(id)/requestvalidators", ["name": "body", "validateRequestBody": true])
        let validatorId = try #require(validator.string("id"))
        #expect(validator["validateRequestBody"] as? Bool == true)
        #expect(validator["validateRequestParameters"] as? Bool == false)
        #expect(try await client.call("DELETE", "/restapis/\(id)/requestvalidators/\(validatorId)").status == 202)
        #expect(
            try await client.call("GET", "/restapis/\(id)/requestvalidators/\(validatorId)").message
                == "Invalid Request Validator identifier specified")

        let defaults = try await client.call("GET", "/restapis/\(id)/gatewayresponses?limit=500")
        #expect(defaults.items.count == 21, "every type, with API Gateway's defaults")
        let put = try await client.call(
            "PUT", "/restapis/\(id)/gatewayresponses/THROTTLED",
            ["statusCode": "503", "responseTemplates": ["application/json": "{\"slow\": \"down\"}"]])
        #expect(put.status == 201)
        let throttled = try await client.call("GET", "/restapis/\(id)/gatewayresponses/THROTTLED")
        #expect(throttled.string("statusCode") == "503")
        #expect(throttled["defaultResponse"] as? Bool == false)
        #expect(
            try await client.call("GET", "/restapis/\(id)/gatewayresponses/QUOTA_EXCEEDED").string("statusCode")
                == "429")
        #expect(try await client.call("PUT", "/restapis/\(id)/gatewayresponses/NOPE", [String: Any]()).status == 400)
    }

    @Test func endpointTypesAndIpAddressTypesAreCheckedAsAWSChecksThem() async throws {
        let client = try Client()
        let both = try await client.call(
            "POST", "/restapis",
            ["name": "x", "description": "", "endpointConfiguration": ["types": ["wrong"], "ipAddressType": "wrong"]])
        #expect(both.errorType == "ValidationException")
        #expect(both.message?.hasPrefix("2 validation errors detected: Value '[wrong]' at 'createRestApiInput") == true)
        let two = try await client.call(
            "POST", "/restapis", ["name": "x", "endpointConfiguration": ["types": ["EDGE", "REGIONAL"]]])
        #expect(two.message == "Cannot create an api with multiple Endpoint Types.")
        let privateIpv4 = try await client.call(
            "POST", "/restapis",
            ["name": "x", "endpointConfiguration": ["types": ["PRIVATE"], "ipAddressType": "ipv4"]])
        #expect(privateIpv4.message == "Only dualstack ipAddressType is supported for Private APIs.")
        #expect(try client.control.restApis().isEmpty, "nothing refused was created")

        let (id, _) = try await client.createApi("moves")
        let moved = try await client.call(
            "PATCH", "/restapis/\(id)", patch(("replace", "/endpointConfiguration/types/0", "PRIVATE")))
        #expect((moved["endpointConfiguration"] as? [String: Any])?["ipAddressType"] as? String == "dualstack")
        let back = try await client.call(
            "PATCH", "/restapis/\(id)", patch(("replace", "/endpointConfiguration/ipAddressType", "ipv4")))
        #expect(back.message == "Only dualstack ipAddressType is supported for Private APIs.")
        let root = try client.control.restApi(id).rootResourceId
        let rename = try await client.call(
            "PATCH", "/restapis/\(id)/resources/\(root)", patch(("replace", "/pathPart", "dogs")))
        #expect(rename.message == "Root resource cannot update its pathPart.")
    }
}
