import Foundation
import GatewayModel
import Testing

@Suite struct StageAndKeyTests {
    /// An API with `GET /pets` (MOCK) deployed to stage `test`.
    func deployedApi(_ client: Client) async throws -> String {
        let created = try await client.call("POST", "/restapis", ["name": "pets"])
        let api = try #require(created.string("id"))
        let root = try #require(created.string("rootResourceId"))
        let pets = try #require(
            try await client.call("POST", "/restapis/\(api)/resources/\(root)", ["pathPart": "pets"]).string("id"))
        try await client.call("PUT", "/restapis/\(api)/resources/\(pets)/methods/GET", ["authorizationType": "NONE"])
        try await client.call("PUT", "/restapis/\(api)/resources/\(pets)/methods/GET/integration", ["type": "MOCK"])
        let deployment = try await client.call(
            "POST", "/restapis/\(api)/deployments",
            ["stageName": "test", "description": "first", "variables": ["backend": "pictures"]])
        #expect(deployment.status == 201)
        #expect(deployment["apiSummary"] == nil, "only with embed=apisummary")
        return api
    }

    @Test func stageSettingsThroughPatchPaths() async throws {
        let client = try Client()
        let api = try await deployedApi(client)
        let stage = try await client.call("GET", "/restapis/\(api)/stages/test")
        #expect(stage.string("stageName") == "test")
        #expect((stage["variables"] as? [String: String]) == ["backend": "pictures"])

        let updated = try await client.call(
            "PATCH", "/restapis/\(api)/stages/test",
            patch(
                ("replace", "/cacheClusterEnabled", "true"), ("replace", "/cacheClusterSize", "1.6"),
                ("replace", "/*/*/throttling/rateLimit", "100"), ("replace", "/*/*/throttling/burstLimit", "50"),
                ("replace", "/~1pets/GET/caching/enabled", "true"),
                ("replace", "/~1pets/GET/caching/ttlInSeconds", "60"),
                ("remove", "/variables/backend", nil)))
        #expect(updated.status == 200)
        #expect(updated["cacheClusterEnabled"] as? Bool == true)
        #expect(updated.string("cacheClusterSize") == "1.6")
        #expect(updated.string("cacheClusterStatus") == "AVAILABLE")
        let settings = try #require(updated["methodSettings"] as? [String: [String: Any]])
        #expect(settings["*/*"]?["throttlingRateLimit"] as? Double == 100)
        #expect(settings["*/*"]?["throttlingBurstLimit"] as? Int == 50)
        #expect(settings["~1pets/GET"]?["cachingEnabled"] as? Bool == true)
        #expect(settings["~1pets/GET"]?["cacheTtlInSeconds"] as? Int == 60)
        #expect(settings["~1pets/GET"]?["throttlingRateLimit"] as? Double == 100, "a method inherits the stage's")
        // The last variable removed: AWS's stage answers leave empty variables out.
        #expect(updated["variables"] == nil)
        #expect(try client.control.stage(api: api, name: "test").variables.isEmpty)
        let stored = try client.control.stage(api: api, name: "test")
        #expect(stored.methodSettings["~1pets/GET"]?.cacheTtlInSeconds == 60, "the engine's source has it")
        // A method setting is removed whole; one the stage does not have is AWS's 400, in its words.
        let removed = try await client.call(
            "PATCH", "/restapis/\(api)/stages/test", patch(("remove", "/~1pets/GET", nil)))
        #expect((removed["methodSettings"] as? [String: Any])?.keys.sorted() == ["*/*"])
        let absent = try await client.call(
            "PATCH", "/restapis/\(api)/stages/test", patch(("remove", "/~1pets/GET", nil)))
        #expect(absent.status == 400)
        #expect(
            absent.message
                == "Cannot remove method setting ~1pets/GET " + "because there is no method setting for this method ")

        let tooLong = try await client.call(
            "PATCH", "/restapis/\(api)/stages/test", patch(("replace", "/~1pets/GET/caching/ttlInSeconds", "7200")))
        #expect(tooLong.status == 400)
        let unknown = try await client.call(
            "PATCH", "/restapis/\(api)/stages/test", patch(("replace", "/*/*/caching/colour", "red")))
        #expect(unknown.status == 400)
        #expect(unknown.message?.contains("/{resourcePath}/{httpMethod}/caching/enabled") == true)
        #expect(try await client.call("DELETE", "/restapis/\(api)/stages/test/cache/data").status == 202)
        #expect(try await client.call("DELETE", "/restapis/\(api)/stages/nope/cache/data").status == 404)
        #expect(try await client.call("GET", "/restapis/\(api)/stages").items.count == 1)
    }

    @Test func keysPlansUsageAndCsvImport() async throws {
        let client = try Client()
        let api = try await deployedApi(client)
        let key = try await client.call("POST", "/apikeys", ["name": "app", "enabled": true, "customerId": "c1"])
        #expect(key.status == 201)
        let keyId = try #require(key.string("id"))
        let value = try #require(key.string("value"), "the value comes back on create")
        #expect(value.count == 40)
        #expect(try await client.call("GET", "/apikeys/\(keyId)").string("value") == nil)
        #expect(try await client.call("GET", "/apikeys/\(keyId)?includeValue=true").string("value") == value)
        #expect(try await client.call("GET", "/apikeys?name=ap").items.count == 1)
        #expect(try await client.call("GET", "/apikeys?name=zz").items.isEmpty)
        #expect(try await client.call("POST", "/apikeys", ["name": "short", "value": "abc"]).status == 400)

        let plan = try await client.call(
            "POST", "/usageplans",
            [
                "name": "basic", "apiStages": [["apiId": api, "stage": "test"]],
                "throttle": ["rateLimit": 10, "burstLimit": 20],
                "quota": ["limit": 1000, "period": "DAY", "offset": 0],
            ])
        #expect(plan.status == 201)
        let planId = try #require(plan.string("id"))
        #expect((plan["quota"] as? [String: Any])?["limit"] as? Int == 1000)
        #expect(
            try await client.call(
                "POST", "/usageplans", ["name": "x", "apiStages": [["apiId": "nope", "stage": "test"]]]
            ).status >= 400)

        let planKey = try await client.call(
            "POST", "/usageplans/\(planId)/keys", ["keyId": keyId, "keyType": "API_KEY"])
        #expect(planKey.status == 201)
        #expect(planKey.string("type") == "API_KEY")
        #expect(planKey.string("value") == value)
        #expect(
            try await client.call("POST", "/usageplans/\(planId)/keys", ["keyId": keyId, "keyType": "API_KEY"]).status
                == 409)
        #expect(try await client.call("GET", "/usageplans?keyId=\(keyId)").items.count == 1)

        let patched = try await client.call(
            "PATCH", "/usageplans/\(planId)",
            patch(
                ("replace", "/quota/limit", "500"), ("replace", "/quota/period", "WEEK"),
                ("replace", "/apiStages/\(api):test/throttle/~1pets/GET/rateLimit", "5")))
        #expect((patched["quota"] as? [String: Any])?["period"] as? String == "WEEK")
        let stages = try #require(patched["apiStages"] as? [[String: Any]])
        let throttle = try #require(stages.first?["throttle"] as? [String: [String: Any]])
        #expect(throttle["/pets/GET"]?["rateLimit"] as? Double == 5)
        // AWS's answers to stages a plan cannot have (recorded in LocalStack's usage plan tests): a value that is not
        // apiId:stage is a 400, an API or stage that does not exist a 404 naming both, when added or removed.
        let malformed = try await client.call("PATCH", "/usageplans/\(planId)", patch(("add", "/apiStages", "wrong")))
        #expect(malformed.status == 400)
        #expect(malformed.message == "Invalid API Stage specified")
        for op in ["add", "remove"] {
            let missing = try await client.call(
                "PATCH", "/usageplans/\(planId)", patch((op, "/apiStages", "\(api):nostage")))
            #expect(missing.status == 404)
            #expect(
                missing.message == "Invalid API Stage {api: \(api), stage: nostage} specified for usageplan \(planId)")
        }

        let updatedUsage = try await client.call(
            "PATCH", "/usageplans/\(planId)/keys/\(keyId)/usage", patch(("replace", "/remaining", "120")))
        #expect(updatedUsage.status == 200)
        #expect((updatedUsage["values"] as? [String: [[Int]]])?[keyId] == [[380, 120]], "500 a week, 120 left")
        #expect(try await client.control.quotaUsed(plan: planId, key: keyId) == 380)
        #expect(
            try await client.call(
                "PATCH", "/usageplans/\(planId)/keys/nokey/usage", patch(("replace", "/remaining", "1"))
            )
            .status == 404)
        let usage = try await client.call("GET", "/usageplans/\(planId)/usage?startDate=2026-01-01&endDate=2026-01-03")
        #expect(usage.status == 200)
        #expect(((usage["values"] as? [String: [[Int]]])?[keyId])?.count == 3)
        #expect(try await client.call("GET", "/usageplans/\(planId)/usage").status == 400)

        let csv =
            "name,key,description,enabled,usageplanIds\nbatch,\(String(repeating: "k", count: 30)),from csv,true,\(planId)\n"
        let imported = try await client.call("POST", "/apikeys?mode=import&format=csv", Data(csv.utf8))
        #expect(imported.status == 201)
        let ids = try #require(imported["ids"] as? [String])
        #expect(ids.count == 1)
        #expect(try client.control.usagePlanKeys(plan: planId).count == 2)
        let badCsv = try await client.call(
            "POST", "/apikeys?mode=import&format=csv",
            Data("name,key\nok,\(String(repeating: "m", count: 30))\nbad,short\n".utf8))
        #expect(badCsv.status == 400)
        #expect(badCsv.message?.contains("line 3") == true)
        #expect(try client.control.apiKeys().count == 2, "a bad row refuses the whole file")
        let twice = String(repeating: "n", count: 30)
        let duplicated = try await client.call(
            "POST", "/apikeys?mode=import&format=csv", Data("name,key\nfirst,\(twice)\nsecond,\(twice)\n".utf8))
        #expect(duplicated.status == 400)
        #expect(duplicated.message == "Row 2: API Key already exists")
        #expect(try client.control.apiKeys().count == 2, "the first row was not kept either")

        #expect(try await client.call("DELETE", "/usageplans/\(planId)/keys/\(keyId)").status == 202)
        #expect(try await client.call("DELETE", "/apikeys/\(keyId)").status == 202)
        #expect(try await client.call("GET", "/apikeys/\(keyId)").status == 404)
    }

    @Test func tagsByArnAndTheResetHook() async throws {
        let client = try Client()
        let api = try await deployedApi(client)
        let arn = "arn:aws:apigateway:us-east-1::/restapis/\(api)/stages/test"
        let encoded = arn.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        #expect(
            try await client.call("PUT", "/tags/\(encoded)", ["tags": ["team": "pictures", "env": "dev"]]).status == 204
        )
        #expect(try await client.call("DELETE", "/tags/\(encoded)?tagKeys=env").status == 204)
        #expect(try await client.call("GET", "/tags/\(encoded)")["tags"] as? [String: String] == ["team": "pictures"])
        #expect(
            try await client.call("GET", "/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fwidgets%2Fx").status == 400)

        let refused = try await client.call("POST", "/moto-api/reset")
        #expect(refused.status == 403)
        #expect(try client.control.restApis().count == 1)

        let resettable = try Client(options: .init(allowReset: true))
        try await resettable.call("POST", "/restapis", ["name": "a"])
        try await resettable.call("POST", "/apikeys", ["name": "k"])
        #expect(try await resettable.call("POST", "/moto-api/reset").status == 200)
        #expect(try resettable.control.restApis().isEmpty)
        #expect(try resettable.control.apiKeys().isEmpty)
    }

    @Test func vpcLinksFindOrMakeTheirLoadBalancer() async throws {
        let client = try Client()
        let arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/pictures-nlb/50dc6c495c0c9188"
        let missing = try await client.call("POST", "/vpclinks", ["name": "l", "targetArns": [arn]])
        #expect(missing.status == 400)
        #expect(missing.message?.contains("gatehouse:targets") == true)
        #expect(
            try await client.call("POST", "/vpclinks", ["name": "l", "targetArns": ["elb:target:arn"]]).message
                == "Invalid ARN. ARN is not well formed elb:target:arn")
        let notABalancer = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/50dc6c495c0c9188"
        #expect(
            try await client.call("POST", "/vpclinks", ["name": "l", "targetArns": [notABalancer]]).message?
                .hasPrefix("NLB ARN is malformed") == true)
        #expect(
            try await client.call("POST", "/vpclinks", ["name": "", "targetArns": [arn]]).message
                == "Name cannot be empty")
        let badTarget = try await client.call(
            "POST", "/vpclinks", ["name": "l", "targetArns": [arn], "tags": ["gatehouse:targets": "nowhere"]])
        #expect(badTarget.status == 400)
        #expect(try client.control.loadBalancers().isEmpty, "nothing half made")

        let link = try await client.call(
            "POST", "/vpclinks",
            [
                "name": "pictures-link", "targetArns": [arn],
                "tags": ["gatehouse:targets": "127.0.0.1:5075, 127.0.0.1:5076"],
            ])
        #expect(link.status == 202)
        #expect(link.string("status") == "PENDING")
        #expect(link["targetArns"] as? [String] == [arn], "the ARN given comes back as given")
        let balancer = try client.control.loadBalancer("pictures-nlb")
        #expect(balancer.targets.map(\.description) == ["127.0.0.1:5075", "127.0.0.1:5076"])
        let id = try #require(link.string("id"))
        let renamed = try await client.call("PATCH", "/vpclinks/\(id)", patch(("replace", "/name", "renamed")))
        #expect(renamed.string("name") == "renamed")
        #expect(try await client.call("GET", "/vpclinks").items.count == 1)
        #expect(try await client.call("DELETE", "/vpclinks/\(id)").status == 202)
    }
}
