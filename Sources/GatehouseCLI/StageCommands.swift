import ArgumentParser
import Foundation
import GatewayControl
import GatewayModel

extension CacheClusterSize: ExpressibleByArgument {}
extension QuotaPeriod: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
}

struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy", abstract: "Deploy an API's working copy to a stage (created when new).")

    @Argument(help: "The API (id or name).")
    var api: String

    @Option(help: "The stage, e.g. test.")
    var stage: String

    @Option(help: "A description of the deployment.")
    var description: String?

    @OptionGroup var options: StateOptions

    func run() async throws {
        try await runReporting {
            let control = try options.control()
            let target = try await control.findApi(api)
            let deployment = try await control.createDeployment(
                api: target.id, stageName: stage, description: description)
            print(
                options.json
                    ? Render.json(deployment)
                    : "Deployed \(target.name) (\(target.id)) to stage \(stage): deployment \(deployment.id)")
        }
    }
}

struct StageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stage", abstract: "Show or change a stage: cache, throttling, variables. Takes effect at once.")

    @Argument(help: "The API (id or name).")
    var api: String

    @Argument(help: "The stage.")
    var stage: String

    @Option(help: "Stage cache: on or off.")
    var cache: Toggle?

    @Option(name: .customLong("cache-size"), help: "Cache capacity in GB: 0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237.")
    var cacheSize: CacheClusterSize?

    @Option(name: .customLong("cache-ttl"), help: "Cache TTL in seconds for every method, 0 to 3600.")
    var cacheTtl: Int?

    @Option(help: "Throttling rate (requests per second) for every method.")
    var rate: Double?

    @Option(help: "Throttling burst for every method.")
    var burst: Int?

    @Option(name: .customLong("variable"), help: "A stage variable, NAME=VALUE. Repeat for more.")
    var variables: [String] = []

    @OptionGroup var options: StateOptions

    enum Toggle: String, ExpressibleByArgument {
        case on, off
    }

    func run() async throws {
        try await runReporting {
            let control = try options.control()
            let target = try await control.findApi(api)
            var pairs: [(String, String)] = []
            for text in variables {
                guard let pair = NameValue.split(text, on: "=") else {
                    throw CLIError(message: "A stage variable is NAME=VALUE, not \(text)")
                }
                pairs.append(pair)
            }
            let changes = (cache, cacheSize, cacheTtl, rate, burst, pairs)
            let updated = try await control.updateStage(api: target.id, name: stage) { stage in
                var all = stage.allMethods
                if let cache = changes.0 {
                    stage.cacheClusterEnabled = cache == .on
                    all.cachingEnabled = cache == .on
                }
                if let size = changes.1 { stage.cacheClusterSize = size }
                if let ttl = changes.2 { all.cacheTtlInSeconds = ttl }
                if let rate = changes.3 { all.throttlingRateLimit = rate }
                if let burst = changes.4 { all.throttlingBurstLimit = burst }
                stage.allMethods = all
                for (name, value) in changes.5 { stage.variables[name] = value }
            }
            if options.json { return print(Render.json(updated)) }
            let all = updated.methodSettings[MethodSetting.allMethodsKey]
            print(
                """
                Stage \(updated.stageName) of \(target.id): deployment \(updated.deploymentId)
                  cache: \(updated.cacheClusterEnabled ? "on, \(updated.cacheClusterSize?.rawValue ?? "0.5") GB, TTL \(all?.cacheTtlInSeconds ?? 300) s" : "off")
                  throttling: \(all.map { "\($0.throttlingRateLimit) rps, burst \($0.throttlingBurstLimit)" } ?? "account default")
                  variables: \(updated.variables.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
                """)
        }
    }
}

struct ApiKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-key", abstract: "Create and list API keys.", subcommands: [Create.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key (enabled), generated or given.")
        @Argument var name: String
        @Option(help: "The value (20 to 128 letters and digits); generated when left out.")
        var value: String?
        @OptionGroup var options: StateOptions

        func run() async throws {
            try await runReporting {
                let key = try await options.control().createApiKey(name: name, value: value, enabled: true)
                print(options.json ? Render.json(key) : "Created API key \(key.id) (\(key.name)): \(key.value)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the API keys (values masked).")
        @OptionGroup var options: StateOptions

        func run() async throws {
            try await runReporting {
                let keys = try options.control().apiKeys()
                if options.json { return print(Render.json(keys)) }
                print(
                    Render.table(
                        ["ID", "NAME", "ENABLED", "VALUE"],
                        keys.map { [$0.id, $0.name, $0.enabled ? "yes" : "no", $0.maskedValue] }))
            }
        }
    }
}

struct UsagePlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage-plan", abstract: "Create usage plans and put keys in them.",
        subcommands: [Create.self, AddKey.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a usage plan over API stages.")
        @Argument var name: String
        @Option(name: .customLong("stage"), help: "An API stage it covers, API:STAGE. Repeat for more.")
        var stages: [String] = []
        @Option(help: "Throttle rate per key, requests per second.")
        var rate: Double?
        @Option(help: "Throttle burst per key.")
        var burst: Int?
        @Option(help: "Quota: requests per period.")
        var quota: Int?
        @Option(help: "Quota period: DAY, WEEK or MONTH.")
        var period: QuotaPeriod = .month
        @OptionGroup var options: StateOptions

        func run() async throws {
            try await runReporting {
                let control = try options.control()
                var apiStages: [ApiStage] = []
                for text in stages {
                    guard let colon = text.lastIndex(of: ":") else {
                        throw CLIError(message: "A stage is API:STAGE, not \(text)")
                    }
                    let api = try await control.findApi(String(text[..<colon]))
                    apiStages.append(ApiStage(apiId: api.id, stage: String(text[text.index(after: colon)...])))
                }
                let throttle = rate.map { ThrottleSettings(burstLimit: burst ?? Int($0), rateLimit: $0) }
                let plan = try await control.createUsagePlan(
                    name: name, apiStages: apiStages, throttle: throttle,
                    quota: quota.map { QuotaSettings(limit: $0, period: period) })
                print(options.json ? Render.json(plan) : "Created usage plan \(plan.id) (\(plan.name))")
            }
        }
    }

    struct AddKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-key", abstract: "Put an API key in a usage plan.")
        @Argument var plan: String
        @Argument var key: String
        @OptionGroup var options: StateOptions

        func run() async throws {
            try await runReporting {
                let planKey = try await options.control().createUsagePlanKey(plan: plan, key: key)
                print(options.json ? Render.json(planKey) : "API key \(planKey.id) is in usage plan \(plan)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the usage plans.")
        @OptionGroup var options: StateOptions

        func run() async throws {
            try await runReporting {
                let control = try options.control()
                let plans = try control.usagePlans()
                if options.json { return print(Render.json(plans)) }
                var rows: [[String]] = []
                for plan in plans {
                    let keys = try control.usagePlanKeys(plan: plan.id).count
                    rows.append([
                        plan.id, plan.name, plan.apiStages.map { "\($0.apiId):\($0.stage)" }.joined(separator: " "),
                        plan.throttle.map { "\($0.rateLimit) rps / \($0.burstLimit)" } ?? "-",
                        plan.quota.map { "\($0.limit)/\($0.period.rawValue)" } ?? "-", String(keys),
                    ])
                }
                print(Render.table(["ID", "NAME", "STAGES", "THROTTLE", "QUOTA", "KEYS"], rows))
            }
        }
    }
}
