import Foundation
import GatewayControl
import GatewayModel
import Testing

@Suite struct DeploymentAndKeyTests {
    /// An API with one MOCK GET on /pictures, ready to deploy.
    func deployableApi(_ control: GatewayControl) async throws -> (RestApi, Resource) {
        let api = try await control.createRestApi(name: "pictures", endpointType: .regional)
        let resource = try await control.ensureResource(api: api.id, path: "/pictures")
        _ = try await control.putMethod(api: api.id, resource: resource.id, httpMethod: "GET")
        _ = try await control.putIntegration(
            api: api.id, resource: resource.id, httpMethod: "GET", integration: Integration(type: .mock))
        return (api, resource)
    }

    @Test func deployFreezesASnapshotAndCreatesTheStage() async throws {
        let control = try memoryControl()
        let (api, resource) = try await deployableApi(control)
        let first = try await control.createDeployment(api: api.id, stageName: "test", description: "first")
        #expect(first.id.count == 6)
        #expect(first.apiSummary["/pictures"]?["GET"]?.apiKeyRequired == false)
        let stage = try control.stage(api: api.id, name: "test")
        #expect(stage.deploymentId == first.id)
        #expect(stage.cacheClusterStatus == .notAvailable)

        // Changes to the working copy do not reach the deployment.
        _ = try await control.updateMethod(api: api.id, resource: resource.id, httpMethod: "GET") {
            $0.apiKeyRequired = true
        }
        let frozen = try control.deployedDefinition(api: api.id, deployment: first.id)
        #expect(frozen.resource(atPath: "/pictures")?.resourceMethods["GET"]?.apiKeyRequired == false)

        let second = try await control.createDeployment(api: api.id, stageName: "test")
        #expect(try control.stage(api: api.id, name: "test").deploymentId == second.id)
        #expect(try control.deployments(api: api.id).count == 2)
        let exported = try await control.export(api.id, stage: "test", format: .swagger2)
        #expect(exported.contains("\"basePath\" : \"/test\""))
        #expect(exported.contains("\"api_key\" : [ ]") || exported.contains("\"api_key\" : []"))

        await expectGatewayError(.badRequest, "Active stages pointing to this deployment must be moved or deleted") {
            try await control.deleteDeployment(api: api.id, id: second.id)
        }
        try await control.deleteDeployment(api: api.id, id: first.id)
        await expectGatewayError(.badRequest, "Stage name only allows") {
            _ = try await control.createDeployment(api: api.id, stageName: "te st")
        }
        await expectGatewayError(.conflict, "Stage already exists") {
            _ = try await control.createStage(api: api.id, name: "test", deploymentId: second.id)
        }
    }

    @Test func deployRefusesMethodsWithoutIntegration() async throws {
        let control = try memoryControl()
        let api = try await control.createRestApi(name: "empty")
        await expectGatewayError(.badRequest, "doesn't contain any methods") {
            _ = try await control.createDeployment(api: api.id, stageName: "test")
        }
        let resource = try await control.ensureResource(api: api.id, path: "/a")
        _ = try await control.putMethod(api: api.id, resource: resource.id, httpMethod: "GET")
        await expectGatewayError(.badRequest, "No integration defined for method (GET /a)") {
            _ = try await control.createDeployment(api: api.id, stageName: "test")
        }
        #expect(try control.deployments(api: api.id).isEmpty)
        #expect(try control.stages(api: api.id).isEmpty)
    }

    @Test func stageSettingsAreValidated() async throws {
        let control = try memoryControl()
        let (api, _) = try await deployableApi(control)
        _ = try await control.createDeployment(api: api.id, stageName: "test")
        let cached = try await control.updateStage(api: api.id, name: "test") { stage in
            stage.cacheClusterEnabled = true
            var all = MethodSetting()
            all.cachingEnabled = true
            all.cacheTtlInSeconds = 60
            stage.methodSettings[MethodSetting.allMethodsKey] = all
            stage.methodSettings[MethodSetting.key(resourcePath: "/pictures", httpMethod: "GET")] = MethodSetting()
            stage.variables["vpcLinkId"] = "abc123"
        }
        #expect(cached.cacheClusterStatus == .available)
        #expect(cached.cacheClusterSize == .gb0_5)
        #expect(cached.methodSettings.keys.sorted() == ["*/*", "~1pictures/GET"])
        #expect(cached.methodSettings["~1pictures/GET"]?.throttlingRateLimit == 10_000)
        #expect(cached.methodSettings["~1pictures/GET"]?.throttlingBurstLimit == 5_000)
        await expectGatewayError(.badRequest, "Cache TTL must be between 0 and 3600") {
            _ = try await control.updateStage(api: api.id, name: "test") {
                $0.methodSettings["*/*"]?.cacheTtlInSeconds = 3601
            }
        }
        // A key without a method is refused; `pictures/GET` (no `~1`) is kept as AWS keeps it, applying to no method.
        await expectGatewayError(.badRequest, "Invalid method setting path '~1pictures'") {
            _ = try await control.updateStage(api: api.id, name: "test") {
                $0.methodSettings["~1pictures"] = MethodSetting()
            }
        }
        await expectGatewayError(.badRequest, "Stage variable value") {
            _ = try await control.updateStage(api: api.id, name: "test") { $0.variables["x"] = "no spaces" }
        }
        #expect(try control.stage(api: api.id, name: "test") == cached)
    }

    @Test func apiKeysFollowApiGatewayRules() async throws {
        let control = try memoryControl()
        let generated = try await control.createApiKey(name: "test", enabled: true)
        #expect(generated.id.count == 10)
        #expect(generated.value.count == 40)
        #expect(generated.value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        #expect(generated.maskedValue == "****" + generated.value.suffix(6))
        await expectGatewayError(.badRequest, "API Key value should be at least 20 characters") {
            _ = try await control.createApiKey(name: "short", value: "abc", enabled: true)
        }
        await expectGatewayError(.badRequest, "only letters and digits") {
            _ = try await control.createApiKey(name: "symbols", value: "abcdefghij-klmnopqrstuv", enabled: true)
        }
        let given = try await control.createApiKey(name: "given", value: "abcdefghijklmnopqrstuvwxyz", enabled: false)
        #expect(given.enabled == false)
        await expectGatewayError(.conflict, "API Key already exists") {
            _ = try await control.createApiKey(name: "again", value: "abcdefghijklmnopqrstuvwxyz", enabled: true)
        }
        let renamed = try await control.updateApiKey(given.id) {
            $0.enabled = true
            $0.value = "changed0000000000000000000"
        }
        #expect(renamed.enabled)
        #expect(renamed.value == given.value, "a key's value never changes")
        await expectGatewayError(.notFound, "Invalid API Key identifier specified") {
            _ = try control.apiKey("nokey")
        }
    }

    @Test func usagePlansBindStagesAndKeys() async throws {
        let control = try memoryControl()
        let (api, _) = try await deployableApi(control)
        _ = try await control.createDeployment(api: api.id, stageName: "test")
        await expectGatewayError(.notFound, "Invalid API Stage {api: \(api.id), stage: prod} specified for usageplan") {
            _ = try await control.createUsagePlan(name: "basic", apiStages: [ApiStage(apiId: api.id, stage: "prod")])
        }
        await expectGatewayError(.badRequest, "Quota offset") {
            _ = try await control.createUsagePlan(name: "q", quota: QuotaSettings(limit: 10, offset: 10, period: .day))
        }
        await expectGatewayError(.badRequest, "Invalid method throttle 'pictures/GET'") {
            _ = try await control.createUsagePlan(
                name: "m",
                apiStages: [
                    ApiStage(
                        apiId: api.id, stage: "test", throttle: ["pictures/GET": .init(burstLimit: 1, rateLimit: 1)])
                ])
        }
        let plan = try await control.createUsagePlan(
            name: "basic",
            apiStages: [
                ApiStage(apiId: api.id, stage: "test", throttle: ["/pictures/GET": .init(burstLimit: 10, rateLimit: 5)])
            ],
            throttle: ThrottleSettings(burstLimit: 200, rateLimit: 100),
            quota: QuotaSettings(limit: 5000, period: .month))
        #expect(plan.id.count == 6)
        let key = try await control.createApiKey(name: "test", enabled: true)
        let planKey = try await control.createUsagePlanKey(plan: plan.id, key: key.id)
        #expect(planKey.type == "API_KEY")
        #expect(planKey.value == key.value)
        await expectGatewayError(.conflict, "already in usage plan") {
            _ = try await control.createUsagePlanKey(plan: plan.id, key: key.id)
        }
        let other = try await control.createUsagePlan(
            name: "other", apiStages: [ApiStage(apiId: api.id, stage: "test")])
        await expectGatewayError(.conflict, "only one usage plan per API stage") {
            _ = try await control.createUsagePlanKey(plan: other.id, key: key.id)
        }
        await expectGatewayError(.badRequest, "associated with usage plan") {
            try await control.deleteStage(api: api.id, name: "test")
        }
        #expect(try control.usagePlanKeys(plan: plan.id).map(\.id) == [key.id])
        try await control.deleteApiKey(key.id)
        #expect(try control.usagePlanKeys(plan: plan.id).isEmpty)
        try await control.deleteRestApi(api.id)
        #expect(try control.usagePlan(plan.id).apiStages.isEmpty, "deleting an API takes its stages out of plans")
    }

    @Test func vpcLinksTargetPrivateLoadBalancers() async throws {
        let control = try memoryControl()
        await expectGatewayError(.badRequest, "a VPC link targets a network load balancer") {
            _ = try await control.createVpcLink(name: "link", targetArn: "arn:aws:s3:::bucket")
        }
        await expectGatewayError(.badRequest, "No load balancer named pictures-nlb") {
            _ = try await control.createVpcLink(
                name: "link",
                targetArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/pictures-nlb/abc")
        }
        let balancer = try await control.createLoadBalancer(
            name: "pictures-nlb", targets: [Target(host: "127.0.0.1", port: 5075), Target(parsing: "[::1]:5076")!])
        #expect(
            balancer.arn.hasPrefix("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/pictures-nlb/")
        )
        #expect(balancer.dnsName.hasSuffix(".elb.us-east-1.amazonaws.com"))
        #expect(balancer.targets.map(\.description) == ["127.0.0.1:5075", "[::1]:5076"])
        let link = try await control.createVpcLink(name: "pictures-link", targetArn: balancer.arn)
        #expect(link.id.count == 6)
        #expect(link.status == .pending)
        #expect(try control.loadBalancer(forLink: link.id) == balancer)
        await expectGatewayError(.conflict, "NLB is already associated with another VPC Endpoint Service") {
            _ = try await control.createVpcLink(name: "again", targetArn: balancer.arn)
        }
        let ready = try await control.setVpcLinkStatus(link.id, status: .available, message: VpcLink.readyMessage)
        #expect(ready.statusMessage == "Your vpc link is ready for use")
        // Several nodes check the same targets: a status the state already holds is not written again.
        let generation = try control.store.generation()
        let again = try await control.setVpcLinkStatus(link.id, status: .available, message: VpcLink.readyMessage)
        #expect(again == ready)
        #expect(try control.store.generation() == generation)

        let (api, resource) = try await deployableApi(control)
        _ = try await control.putIntegration(
            api: api.id, resource: resource.id, httpMethod: "GET",
            integration: Integration(
                type: .httpProxy, httpMethod: "GET", uri: "http://pictures.internal/api/pictures/all",
                connectionType: .vpcLink, connectionId: link.id))
        await expectGatewayError(.badRequest, "still in use by GET /pictures") {
            try await control.deleteVpcLink(link.id)
        }
        await expectGatewayError(.badRequest, "is the target of VPC link \(link.id)") {
            try await control.deleteLoadBalancer("pictures-nlb")
        }
        _ = try await control.setVpcLinkStatus(link.id, status: .failed, message: "no target answered")
        await expectGatewayError(.badRequest, "VPC link \(link.id) is FAILED") {
            _ = try await control.createDeployment(api: api.id, stageName: "test")
        }
        #expect(Target(parsing: "nohost") == nil)
        #expect(Target(parsing: "host:99999") == nil)
    }
}
