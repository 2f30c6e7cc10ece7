import Foundation
import GatewayEngine
import GatewayModel
import GatewayStore
import NIOCore

/// Quota counters kept in the state: every node adds its counts and reads back the totals.
struct StoreQuotaPersistence: QuotaPersistence {
    let store: GatewayStore

    func quotaUsed(plan: String, key: String, periodStart: String) throws -> Int {
        try store.read { try $0.quotaUsed(plan: plan, key: key, periodStart: periodStart) }
    }

    func saveQuotaUsed(_ used: Int, plan: String, key: String, periodStart: String) throws {
        try store.writeCounters { try $0.setQuotaUsed(used, plan: plan, key: key, periodStart: periodStart) }
    }

    func dailyUsed(plan: String, key: String, day: String) throws -> Int {
        try store.read { try $0.dailyUsage(plan: plan, key: key, from: day, to: day)[day] ?? 0 }
    }

    func reserveQuota(_ requests: Int, limit: Int, plan: String, key: String, periodStart: String) throws
        -> (granted: Int, stored: Int)
    {
        try store.writeCounters {
            try $0.reserveQuota(requests, limit: limit, plan: plan, key: key, periodStart: periodStart)
        }
    }

    func addCounts(_ counts: [QuotaCount]) throws -> [QuotaCount] {
        try store.writeCounters { access in
            try counts.map { count in
                var total = count
                total.used = try access.addQuotaUsed(
                    count.used, plan: count.plan, key: count.key, periodStart: count.periodStart)
                if let day = count.day {
                    total.usedToday = try access.addDailyUsage(
                        count.usedToday, plan: count.plan, key: count.key, day: day)
                }
                return total
            }
        }
    }
}

/// A change is in the state but the engine could not be given it.
public struct PublishError: Error, CustomStringConvertible {
    public var description: String
}

extension GatewayControl {
    /// How often an engine adds its quota counts to the state: every 100 ms on a shared state, so that a node
    /// sees the others' counts within two tenths of a second (what bounds a quota's overrun) for about ten small
    /// transactions a second per node; once a second on a SQLite file, whose one node sees its own counts at once.
    public static func defaultQuotaFlushInterval(shared: Bool) -> TimeAmount {
        shared ? .milliseconds(100) : .seconds(1)
    }

    /// An engine that keeps its quota counts in this control plane's state.
    public nonisolated func makeEngine(
        threads: Int = ProcessInfo.processInfo.activeProcessorCount,
        accessLog: (@Sendable (AccessLogEntry) -> Void)? = nil,
        healthCheckMilliseconds: Int = 500, pendingHealthChecks: Int = 10, limits: ServerLimits = ServerLimits(),
        recordsDetails: Bool = false, signingCredentials: [SigV4.Credentials] = [.fromEnvironment()],
        quotaFlushInterval: TimeAmount? = nil
    ) -> GatewayEngine {
        GatewayEngine(
            threads: threads, quotaPersistence: StoreQuotaPersistence(store: store),
            quotaFlushInterval: quotaFlushInterval ?? GatewayControl.defaultQuotaFlushInterval(shared: store.isShared),
            accessLog: accessLog,
            healthCheckMilliseconds: healthCheckMilliseconds, pendingHealthChecks: pendingHealthChecks,
            limits: limits, recordsDetails: recordsDetails, functionLogDirectory: functionLogDirectory,
            signingCredentials: signingCredentials)
    }

    /// Serves this state's deployed stages with `engine`: publishes the configuration now and after every change,
    /// and records what the engine's health checks find about VPC links.
    public func attach(_ engine: GatewayEngine) throws {
        self.engine = engine
        try publishToEngine()
        engine.startHealthChecks { [weak self] linkId, status, message in
            guard let self else { return }
            Task { _ = try? await self.setVpcLinkStatus(linkId, status: status, message: message) }
        }
    }

    /// Recompiles what the engine serves from the state (also after another process changed it).
    public func publishToEngine() throws {
        guard let engine else { return }
        do {
            let (configuration, generation) = try read { access in
                (try engineConfiguration(access), try access.generation())
            }
            engine.publish(configuration)
            servedGeneration = generation
            publishFailure = nil
        } catch {
            let problem = "the engine still serves the previous configuration: reading the state failed (\(error))"
            publishFailure = problem
            throw PublishError(description: problem)
        }
    }

    /// Publishes, telling the publish-failure handler (never hiding it) when that fails.
    func publishReporting() {
        do {
            try publishToEngine()
        } catch {
            if let publishFailure { publishFailureHandler?(publishFailure) }
        }
    }

    /// Who hears of a publish that failed: `serve` prints it, the console shows it.
    public func onPublishFailure(_ handler: @escaping @Sendable (String) -> Void) { publishFailureHandler = handler }

    /// What the engine should serve, read from the state in one transaction.
    public func engineConfiguration() throws -> EngineConfiguration {
        try read { try engineConfiguration($0) }
    }

    private func engineConfiguration(_ access: StoreAccess) throws -> EngineConfiguration {
        var stages: [EngineConfiguration.DeployedStage] = []
        for api in try access.all(RestApi.self, in: .restApi) {
            for stage in try access.all(Stage.self, in: .stage, api: api.id) {
                guard let snapshot = try access.snapshot(deployment: stage.deploymentId, api: api.id) else {
                    continue
                }
                let canary = try stage.canarySettings.flatMap {
                    try access.snapshot(deployment: $0.deploymentId, api: api.id)
                }
                stages.append(.init(stage: stage, definition: snapshot, canaryDefinition: canary))
            }
        }
        let plans = try access.all(UsagePlan.self, in: .usagePlan)
        var planKeys: [String: [String]] = [:]
        for plan in plans { planKeys[plan.id] = try access.keyIds(inPlan: plan.id) }
        return EngineConfiguration(
            stages: stages, apiKeys: try access.all(ApiKey.self, in: .apiKey), usagePlans: plans,
            planKeys: planKeys,
            vpcLinks: try access.all(VpcLink.self, in: .vpcLink),
            loadBalancers: try access.all(LoadBalancer.self, in: .loadBalancer), accountThrottle: accountThrottle,
            domainNames: try access.all(DomainName.self, in: .domainName),
            functions: try access.all(LambdaFunction.self, in: .function),
            userPools: try access.all(UserPool.self, in: .userPool))
    }

    /// Sets the account-level throttle the engine applies after stage and usage-plan limits.
    public func setAccountThrottle(_ throttle: ThrottleSettings) {
        accountThrottle = throttle
        publishReporting()
    }

    /// Runs a method of an API's working copy as the console's Test does (no deployment, key, throttle or cache).
    public func testInvoke(api: String, resource: String, httpMethod: String, input: TestInvokeRequest) async throws
        -> TestInvokeResult
    {
        guard let engine else { throw GatewayError.badRequest("Test invocations need a running engine") }
        let definition = try definition(api)
        guard let found = definition.resources.first(where: { $0.id == resource }) else {
            throw GatewayError.notFound("Invalid Resource identifier specified")
        }
        guard found.resourceMethods[httpMethod.uppercased()] ?? found.resourceMethods["ANY"] != nil else {
            throw GatewayError.notFound("Invalid Method identifier specified")
        }
        return try await engine.testInvoke(
            definition: definition, resourceId: resource, httpMethod: httpMethod, input: input)
    }

    /// Runs an authorizer of an API's working copy (TestInvokeAuthorizer): its function really runs.
    public func testInvokeAuthorizer(api: String, id: String, input: TestInvokeRequest) async throws
        -> TestAuthorizerResult
    {
        guard let engine else { throw GatewayError.badRequest("Test invocations need a running engine") }
        let definition = try definition(api)
        guard let authorizer = definition.authorizers.first(where: { $0.id == id }) else {
            throw GatewayError.notFound("Invalid Authorizer identifier specified")
        }
        return try await engine.testAuthorizer(definition: definition, authorizer: authorizer, input: input)
    }

    /// Requests a key has made under a plan in its current quota period (0 for a plan without a quota).
    public func quotaUsed(plan planId: String, key: String) throws -> Int {
        let plan = try usagePlan(planId)
        guard let quota = plan.quota else { return 0 }
        if let engine { return engine.quotaUsed(plan: planId, key: key, period: quota.period) }
        let start = QuotaLedger.periodStart(quota.period, now: Date())
        return try store.read { try $0.quotaUsed(plan: planId, key: key, periodStart: start) }
    }

    /// Requests each key made under a plan on each UTC day from `from` to `to` (ISO dates), counted up to now:
    /// key → day → requests.
    public func dailyUsage(plan planId: String, keys: [String], from: String, to: String) throws
        -> [String: [String: Int]]
    {
        _ = try usagePlan(planId)
        engine?.flushQuotaCounts()
        return try store.read { access in
            var usage: [String: [String: Int]] = [:]
            for key in keys { usage[key] = try access.dailyUsage(plan: planId, key: key, from: from, to: to) }
            return usage
        }
    }

    /// Sets what a key has left of its plan's quota in the current period (UpdateUsage's `/remaining`).
    public func setQuotaRemaining(plan planId: String, key keyId: String, remaining: Int) throws {
        let plan = try usagePlan(planId)
        guard let quota = plan.quota else {
            throw GatewayError.badRequest("Usage plan \(planId) has no quota to update")
        }
        guard try usagePlanKeys(plan: planId).contains(where: { $0.id == keyId }) else {
            throw GatewayError.notFound("Invalid API Key identifier specified")
        }
        guard remaining >= 0 else { throw GatewayError.badRequest("The remaining quota must not be negative") }
        let used = max(0, quota.limit - remaining)
        if let engine {
            try engine.setQuotaUsed(used, plan: planId, key: keyId, period: quota.period)
        } else {
            let start = QuotaLedger.periodStart(quota.period, now: Date())
            try store.writeCounters { try $0.setQuotaUsed(used, plan: planId, key: keyId, periodStart: start) }
        }
    }

    /// Empties a stage's cache (FlushStageCache), on every node serving a shared state.
    public func flushStageCache(api: String, stage: String) throws {
        _ = try self.stage(api: api, name: stage)
        engine?.flushCache(api: api, stage: stage)
        if store.isShared { try store.announceCacheFlush(api: api, stage: stage, authorizers: false) }
    }

    /// Forgets the answers a stage's Lambda authorizers gave (FlushStageAuthorizersCache), on every node.
    public func flushStageAuthorizersCache(api: String, stage: String) throws {
        _ = try self.stage(api: api, name: stage)
        engine?.flushAuthorizersCache(api: api, stage: stage)
        if store.isShared { try store.announceCacheFlush(api: api, stage: stage, authorizers: true) }
    }
}
