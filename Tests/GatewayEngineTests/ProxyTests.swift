import Foundation
import GatewayControl
import GatewayModel
import NIOHTTP1
import SampleBackend
import TestSupport
import Testing

@testable import GatewayEngine

@Suite struct ProxyTests {
    @Test func vpcLinkBecomesAvailableAndProxiesToThePrivateBackend() async throws {
        let gateway = try await Walkthrough.start()
        try await withCleanup({ await gateway.stop() }) {
            #expect(gateway.link.status == .available)
            #expect(gateway.link.statusMessage == "Your vpc link is ready for use")

            let response = try await gateway.get("/api/pictures/all")
            #expect(response.status == 200)
            let pictures = try #require(response.json as? [[String: Any]])
            #expect(pictures.map { $0["name"] as? String } == ["sunrise.jpg", "lima.jpg", "coffee.jpg"])
            #expect(UUID(uuidString: response.headers.first(name: "x-amzn-RequestId") ?? "") != nil)
            #expect(response.headers.first(name: "x-amz-apigw-id")?.hasSuffix("=") == true)
            #expect(response.headers.first(name: "X-Amzn-Trace-Id")?.hasPrefix("Root=1-") == true)
            #expect(response.headers.first(name: "x-amzn-Remapped-Server") == "pictures-backend")
            #expect(response.headers.first(name: "Content-Type") == "application/json")
            #expect(gateway.backend.apiRequestCount == 1)

            let created = try await gateway.client.send(
                .POST, gateway.invokePath("/api/pictures"), headers: ["Content-Type": "application/json"],
                body: "{\"name\": \"gateway.jpg\", \"owner\": \"test\"}")
            #expect(created.status == 201)
            let id = try #require((created.json as? [String: Any])?["id"] as? String)
            let fetched = try await gateway.get("/api/pictures/\(id)")
            #expect(fetched.status == 200)
            #expect((fetched.json as? [String: Any])?["name"] as? String == "gateway.jpg")
            let deleted = try await gateway.client.send(.DELETE, gateway.invokePath("/api/pictures/\(id)"))
            #expect(deleted.status == 204)
            #expect(try await gateway.get("/api/pictures/\(id)").status == 404)
        }
    }

    @Test func hostBasedInvokeURL() async throws {
        let gateway = try await Walkthrough.start()
        try await withCleanup({ await gateway.stop() }) {
            let response = try await gateway.client.send(
                .GET, "/test/api/pictures/all", host: "\(gateway.api.id).execute-api.localhost:\(gateway.port)")
            #expect(response.status == 200)
            #expect((response.json as? [Any])?.count == 3)
        }
    }

    @Test func unknownRoutesAnswerMissingAuthenticationToken() async throws {
        let gateway = try await Walkthrough.start()
        try await withCleanup({ await gateway.stop() }) {
            for target in [
                gateway.invokePath("/api/pictures/nothing/here"),
                gateway.invokePath("/api/pictures/all", stage: "prod"),
                "/restapis/nosuchapi1/test/_user_request_/api/pictures/all", "/somewhere/else",
            ] {
                let response = try await gateway.client.send(.GET, target)
                #expect(response.status == 403, "\(target)")
                #expect(response.body == "{\"message\":\"Missing Authentication Token\"}")
                #expect(response.headers.first(name: "x-amzn-ErrorType") == "MissingAuthenticationTokenException")
            }
            let wrongMethod = try await gateway.client.send(.PATCH, gateway.invokePath("/api/pictures/all"))
            #expect(wrongMethod.status == 403)
            #expect(gateway.backend.apiRequestCount == 0)
        }
    }

    @Test func changesNeedARedeploy() async throws {
        let gateway = try await Walkthrough.start()
        try await withCleanup({ await gateway.stop() }) {
            let all = try await gateway.resource("/api/pictures/all")
            _ = try await gateway.control.updateMethod(api: gateway.api.id, resource: all.id, httpMethod: "GET") {
                $0.apiKeyRequired = true
            }
            #expect(
                try await gateway.get("/api/pictures/all").status == 200,
                "the deployed stage does not change until redeployed")
            try await gateway.redeploy()
            #expect(try await gateway.get("/api/pictures/all").status == 403)
        }
    }
}
