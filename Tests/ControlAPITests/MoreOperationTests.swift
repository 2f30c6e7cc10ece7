import Foundation
import Testing

/// The operations the walkthrough does not need, each with its happy path and its errors.
@Suite struct MoreOperationTests {
    /// An API with a MOCK `GET /` deployed to stage `test`; its id and root resource.
    func deployed(_ client: Client) async throws -> (api: String, root: String) {
        let created = try await client.call("POST", "/restapis", ["name": "more"])
        let api = try #require(created.string("id"))
        let root = try #require(created.string("rootResourceId"))
        try await client.call("PUT", "/restapis/\(api)/resources/\(root)/methods/GET", ["authorizationType": "NONE"])
        try await client.call("PUT", "/restapis/\(api)/resources/\(root)/methods/GET/integration", ["type": "MOCK"])
        try await client.call("POST", "/restapis/\(api)/deployments", ["stageName": "test"])
        return (api, root)
    }

    @Test func deploymentsListGetUpdateDelete() async throws {
        let client = try Client()
        let (api, _) = try await deployed(client)
        let second = try await client.call("POST", "/restapis/\(api)/deployments", ["description": "spare"])
        let spare = try #require(second.string("id"))
        let listed = try await client.call("GET", "/restapis/\(api)/deployments")
        #expect(listed.items.count == 2)
        let embedded = try await client.call("GET", "/restapis/\(api)/deployments/\(spare)?embed=apisummary")
        #expect((embedded["apiSummary"] as? [String: Any])?["/"] != nil)
        let patched = try await client.call(
            "PATCH", "/restapis/\(api)/deployments/\(spare)", patch(("replace", "/description", "renamed")))
        #expect(patched.string("description") == "renamed")
        #expect(
            try await client.call("PATCH", "/restapis/\(api)/deployments/\(spare)", patch(("replace", "/id", "x")))
                .status == 400)
        let active = try #require(try await client.call("GET", "/restapis/\(api)/stages/test").string("deploymentId"))
        let inUse = try await client.call("DELETE", "/restapis/\(api)/deployments/\(active)")
        #expect(inUse.status == 400)
        #expect(inUse.message == "Active stages pointing to this deployment must be moved or deleted")
        #expect(try await client.call("DELETE", "/restapis/\(api)/deployments/\(spare)").status == 202)
        #expect(try await client.call("GET", "/restapis/\(api)/deployments/\(spare)").status == 404)
    }

    @Test func responsesAndModelsCanBeRemoved() async throws {
        let client = try Client()
        let (api, root) = try await deployed(client)
        let method = "/restapis/\(api)/resources/\(root)/methods/GET"
        try await client.call("PUT", method + "/responses/200", [String: Any]())
        let patchedResponse = try await client.call(
            "PATCH", method + "/responses/200",
            patch(("add", "/responseParameters/method.response.header.X-Id", "false")))
        #expect(patchedResponse.status == 201, "UpdateMethodResponse answers 201, as AWS does")
        #expect((patchedResponse["responseParameters"] as? [String: Bool])?["method.response.header.X-Id"] == false)
        #expect(try await client.call("GET", method + "/responses/200").string("statusCode") == "200")
        #expect(try await client.call("DELETE", method + "/responses/200").status == 204)
        #expect(
            try await client.call("GET", method + "/responses/200").message == "Invalid Response status code specified")

        try await client.call("PUT", method + "/integration/responses/200", ["selectionPattern": "2\\d{2}"])
        #expect(
            try await client.call("GET", method + "/integration/responses/200").string("selectionPattern") == "2\\d{2}")
        #expect(try await client.call("DELETE", method + "/integration/responses/200").status == 204)
        #expect(try await client.call("GET", method + "/integration/responses/200").status == 404)

        try await client.call("PUT", "/restapis/\(api)/gatewayresponses/THROTTLED", ["statusCode": "503"])
        let patched = try await client.call(
            "PATCH", "/restapis/\(api)/gatewayresponses/THROTTLED",
            patch(("add", "/responseParameters/gatewayresponse.header.Retry-After", "'1'")))
        #expect((patched["responseParameters"] as? [String: String])?["gatewayresponse.header.Retry-After"] == "'1'")
        #expect(try await client.call("DELETE", "/restapis/\(api)/gatewayresponses/THROTTLED").status == 202)
        let back = try await client.call("GET", "/restapis/\(api)/gatewayresponses/THROTTLED")
        #expect(back["defaultResponse"] as? Bool == true, "back to API Gateway's default")
        #expect(back.string("statusCode") == "429")

        #expect(try await client.call("DELETE", "/restapis/\(api)/models/Error").status == 202)
        #expect(try await client.call("GET", "/restapis/\(api)/models/Error").status == 404)
        #expect(
            try await client.call("GET", "/restapis/\(api)/models").items.map { $0["name"] as? String } == ["Empty"])
    }

    @Test func domainNamesAndBasePathMappings() async throws {
        let client = try Client()
        let (api, _) = try await deployed(client)
        let created = try await client.call(
            "POST", "/domainnames",
            [
                "domainName": "api.example.com", "certificateName": "cert",
                "endpointConfiguration": ["types": ["REGIONAL"]],
            ])
        #expect(created.status == 201)
        #expect(created.string("regionalDomainName")?.hasSuffix(".execute-api.us-east-1.amazonaws.com") == true)
        #expect(try await client.call("POST", "/domainnames", ["domainName": "api.example.com"]).status == 409)
        #expect(try await client.call("POST", "/domainnames", ["domainName": ""]).message == "No Domain Name specified")
        let patched = try await client.call(
            "PATCH", "/domainnames/api.example.com", patch(("replace", "/certificateName", "cert-2")))
        #expect(patched.string("certificateName") == "cert-2")
        #expect(try await client.call("GET", "/domainnames").items.count == 1)

        let base = "/domainnames/api.example.com/basepathmappings"
        let mapping = try await client.call("POST", base, ["restApiId": api, "stage": "test", "basePath": "v1"])
        #expect(mapping.status == 201)
        #expect(try await client.call("POST", base, ["restApiId": api, "basePath": "v1"]).status == 409)
        #expect(
            try await client.call("POST", base, ["restApiId": "nope"]).message
                == "Invalid REST API identifier specified")
        #expect(
            try await client.call("POST", base, ["restApiId": api, "stage": "nope"]).message
                == "Invalid stage identifier specified")
        #expect(try await client.call("POST", base, ["restApiId": api, "basePath": "a/b"]).status == 400)
        let moved = try await client.call("PATCH", base + "/v1", patch(("replace", "/basePath", "v2")))
        #expect(moved.string("basePath") == "v2")
        #expect(try await client.call("GET", base + "/v1").message == "Invalid base path mapping identifier specified")
        #expect(try await client.call("GET", base).items.count == 1)
        #expect(try await client.call("DELETE", base + "/v2").status == 202)
        #expect(try await client.call("DELETE", "/domainnames/api.example.com").status == 202)
        #expect(try await client.call("GET", "/domainnames/api.example.com").status == 404)
    }

    @Test func accountPlansAndPlanKeys() async throws {
        let client = try Client()
        let account = try await client.call("GET", "/account")
        #expect((account["throttleSettings"] as? [String: Any])?["burstLimit"] as? Int == 5000)
        let updated = try await client.call(
            "PATCH", "/account", patch(("replace", "/cloudwatchRoleArn", "arn:aws:iam::123456789012:role/logs")))
        #expect(updated.string("cloudwatchRoleArn") == "arn:aws:iam::123456789012:role/logs")
        let refused = try await client.call("PATCH", "/account", patch(("remove", "/features", "UsagePlans")))
        #expect(refused.message == "Usage Plans cannot be disabled once enabled")

        let key = try #require(try await client.call("POST", "/apikeys", ["name": "k", "enabled": true]).string("id"))
        let plan = try #require(try await client.call("POST", "/usageplans", ["name": "p"]).string("id"))
        #expect(try await client.call("GET", "/usageplans/\(plan)/keys/\(key)").status == 404)
        try await client.call("POST", "/usageplans/\(plan)/keys", ["keyId": key, "keyType": "API_KEY"])
        #expect(try await client.call("GET", "/usageplans/\(plan)/keys/\(key)").string("name") == "k")
        #expect(
            try await client.call("POST", "/usageplans/\(plan)/keys", ["keyId": key, "keyType": "JWT"]).status == 400)
        #expect(try await client.call("DELETE", "/usageplans/\(plan)").status == 202)
        #expect(try await client.call("GET", "/usageplans/\(plan)").status == 404)
        #expect(try await client.call("GET", "/apikeys/\(key)").status == 200, "the key outlives its plan")
    }
}

/// Calls that the control API answers with several control-plane steps leave nothing behind when they fail.
@Suite struct NothingHalfAppliedTests {
    @Test func aRefusedCallLeavesNoTrace() async throws {
        let client = try Client()
        let created = try await client.call("POST", "/restapis", ["name": "atomic"])
        let api = try #require(created.string("id"))
        let root = try #require(created.string("rootResourceId"))
        let method = "/restapis/\(api)/resources/\(root)/methods/GET"

        let badValidator = try await client.call(
            "PUT", method, ["authorizationType": "NONE", "requestValidatorId": "nope"])
        #expect(badValidator.status == 400)
        #expect(try await client.call("GET", method).status == 404, "the method was not made")

        try await client.call("PUT", method, ["authorizationType": "NONE"])
        try await client.call("PUT", method + "/integration", ["type": "MOCK"])
        let badVariable = try await client.call(
            "POST", "/restapis/\(api)/deployments", ["stageName": "test", "variables": ["bad name": "x"]])
        #expect(badVariable.status == 400)
        #expect(try await client.call("GET", "/restapis/\(api)/deployments").items.isEmpty, "no deployment")
        #expect(try await client.call("GET", "/restapis/\(api)/stages").items.isEmpty, "no stage")

        let arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/lonely-nlb/1"
        let unnamed = try await client.call(
            "POST", "/vpclinks", ["name": "", "targetArns": [arn], "tags": ["gatehouse:targets": "127.0.0.1:9"]])
        #expect(unnamed.status == 400)
        #expect(try client.control.loadBalancers().isEmpty, "the load balancer made for it is gone")

        let badStageKeys = try await client.call("POST", "/apikeys", ["name": "k", "stageKeys": [["restApiId": api]]])
        #expect(badStageKeys.status == 400)
        #expect(try client.control.apiKeys().isEmpty)
    }
}
