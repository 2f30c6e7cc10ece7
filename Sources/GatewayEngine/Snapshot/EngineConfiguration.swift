import GatewayModel

/// Everything the engine serves, as the control plane hands it over: the deployed stages with their frozen APIs,
/// the keys, usage plans, VPC links and load balancers.
public struct EngineConfiguration: Sendable {
    /// A stage and the API its deployment froze.
    public struct DeployedStage: Sendable {
        public var stage: Stage
        public var definition: ApiDefinition
        /// The API the stage's canary deployment froze, when the stage has a canary.
        public var canaryDefinition: ApiDefinition?

        public init(stage: Stage, definition: ApiDefinition, canaryDefinition: ApiDefinition? = nil) {
            self.stage = stage
            self.definition = definition
            self.canaryDefinition = canaryDefinition
        }
    }

    public var stages: [DeployedStage]
    public var apiKeys: [ApiKey]
    public var usagePlans: [UsagePlan]
    /// Usage plan id → ids of the keys in it.
    public var planKeys: [String: [String]]
    public var vpcLinks: [VpcLink]
    public var loadBalancers: [LoadBalancer]
    /// The account-level throttle (API Gateway's regional default: 10,000 rps, burst 5,000).
    public var accountThrottle: ThrottleSettings
    /// Custom domain names: requests whose Host is one go through its base path mappings.
    public var domainNames: [DomainName]
    /// The Lambda functions integrations and authorizers invoke.
    public var functions: [LambdaFunction]
    /// The Cognito user pools `COGNITO_USER_POOLS` authorizers verify tokens against.
    public var userPools: [UserPool]

    public init(
        stages: [DeployedStage] = [], apiKeys: [ApiKey] = [], usagePlans: [UsagePlan] = [],
        planKeys: [String: [String]] = [:], vpcLinks: [VpcLink] = [], loadBalancers: [LoadBalancer] = [],
        accountThrottle: ThrottleSettings = EngineConfiguration.defaultAccountThrottle, domainNames: [DomainName] = [],
        functions: [LambdaFunction] = [], userPools: [UserPool] = []
    ) {
        self.userPools = userPools
        self.domainNames = domainNames
        self.functions = functions
        self.stages = stages
        self.apiKeys = apiKeys
        self.usagePlans = usagePlans
        self.planKeys = planKeys
        self.vpcLinks = vpcLinks
        self.loadBalancers = loadBalancers
        self.accountThrottle = accountThrottle
    }

    /// API Gateway's default account throttle per region.
    public static let defaultAccountThrottle = ThrottleSettings(burstLimit: 5000, rateLimit: 10000)
}
