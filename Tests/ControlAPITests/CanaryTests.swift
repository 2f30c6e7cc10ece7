import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Canary releases: a canary deployment on a stage, its share of the traffic, its variables, its promotion.
@Suite(.serialized) struct CanaryTests {
    @Test func aCanaryServesItsShareWithItsVariablesAndIsPromoted() async throws {
        let (client, engine, port) = try await Client.served()
        try await withCleanup({ try? await engine.stop() }) {
            let (api, root) = try await client.createApi("canaried")
            let method = "/restapis/\(api)/resources/\(root)/methods/GET"
            try await client.mockMethod(api: api, resource: root, ["authorizationType": "NONE"])
            func answerWith(_ release: String) async throws {
                try await client.call(
                    "PUT", method + "/integration/responses/200",
                    [
                        "responseTemplates": [
                            "application/json":
                                #"{"release": "\#(release)", "canary": "$context.isCanaryRequest", "v": "$stageVariables.v"}"#
                        ]
                    ])
            }
            try await answerWith("one")
            let stage = try await client.call(
                "POST", "/restapis/\(api)/deployments", ["stageName": "prod", "variables": ["v": "main"]])
            #expect(stage.status == 201, "\(stage.text)")

            // Refused: a canary on a stage that does not exist, a share over 100.
            let noStage = try await client.call(
                "POST", "/restapis/\(api)/deployments",
                ["stageName": "beta", "canarySettings": ["percentTraffic": 10]])
            #expect(noStage.status == 400)
            let tooMuch = try await client.call(
                "POST", "/restapis/\(api)/deployments",
                ["stageName": "prod", "canarySettings": ["percentTraffic": 150]])
            #expect(tooMuch.status == 400)
            #expect(tooMuch.message == "Canary traffic percentage must be between 0.0 and 100.0")

            try await answerWith("two")
            let canary = try await client.call(
                "POST", "/restapis/\(api)/deployments",
                [
                    "stageName": "prod",
                    "canarySettings": ["percentTraffic": 50, "stageVariableOverrides": ["v": "canary"]],
                ])
            #expect(canary.status == 201, "\(canary.text)")
            let canaryId = try #require(canary.string("id"))
            let settings = try #require(
                try await client.call("GET", "/restapis/\(api)/stages/prod")["canarySettings"] as? [String: Any])
            #expect(settings["deploymentId"] as? String == canaryId)
            #expect(settings["percentTraffic"] as? Double == 50)
            #expect(try await client.call("DELETE", "/restapis/\(api)/deployments/\(canaryId)").status == 400)

            func tally(_ count: Int) async throws -> [String: Int] {
                var seen: [String: Int] = [:]
                for _ in 0..<count {
                    let url = URL(string: "http://127.0.0.1:\(port)/restapis/\(api)/prod/_user_request_/")!
                    let (data, _) = try await URLSession.shared.data(from: url)
                    let body = try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
                    seen["\(body["release"]!) \(body["canary"]!) \(body["v"]!)", default: 0] += 1
                }
                return seen
            }
            // 400 requests at 50 %: the canary's share is far inside [100, 300] but for odds of 1 in 10^20.
            let split = try await tally(400)
            #expect(Set(split.keys) == ["one false main", "two true canary"], "\(split)")
            #expect((100...300).contains(split["two true canary"] ?? 0), "\(split)")

            // Promotion, as AWS documents it: the stage takes the canary's deployment, then the canary goes.
            try await client.call(
                "PATCH", "/restapis/\(api)/stages/prod",
                patch(("replace", "/deploymentId", canaryId), ("remove", "/canarySettings", nil)))
            let promoted = try await tally(20)
            // Without a canary there is no $context.isCanaryRequest, which Velocity then writes as it stands.
            #expect(promoted == ["two $context.isCanaryRequest main": 20], "\(promoted)")
            #expect(try await client.call("GET", "/restapis/\(api)/stages/prod")["canarySettings"] == nil)

            // A canary made through the stage's own patch paths serves everything at 100 %.
            try await client.call(
                "PATCH", "/restapis/\(api)/stages/prod",
                patch(
                    ("replace", "/canarySettings/percentTraffic", "100"),
                    ("replace", "/canarySettings/stageVariableOverrides/v", "all")))
            #expect(try await tally(10) == ["two true all": 10])
        }
    }
}
