import Foundation

/// The cache capacities API Gateway offers, in GB, as the strings its API uses.
public enum CacheClusterSize: String, Codable, Sendable, CaseIterable {
    case gb0_5 = "0.5"
    case gb1_6 = "1.6"
    case gb6_1 = "6.1"
    case gb13_5 = "13.5"
    case gb28_4 = "28.4"
    case gb58_2 = "58.2"
    case gb118 = "118"
    case gb237 = "237"
}

/// The state of a stage's cache.
public enum CacheClusterStatus: String, Codable, Sendable {
    case createInProgress = "CREATE_IN_PROGRESS"
    case available = "AVAILABLE"
    case deleteInProgress = "DELETE_IN_PROGRESS"
    case notAvailable = "NOT_AVAILABLE"
    case flushInProgress = "FLUSH_IN_PROGRESS"
}

/// Execution logging level of a method setting.
public enum LoggingLevel: String, Codable, Sendable, CaseIterable {
    case off = "OFF"
    case error = "ERROR"
    case info = "INFO"
}

/// What to do when a caller without permission sends `Cache-Control: max-age=0`.
public enum UnauthorizedCacheControlHeaderStrategy: String, Codable, Sendable, CaseIterable {
    case failWith403 = "FAIL_WITH_403"
    case succeedWithResponseHeader = "SUCCEED_WITH_RESPONSE_HEADER"
    case succeedWithoutResponseHeader = "SUCCEED_WITHOUT_RESPONSE_HEADER"
}

/// Settings for one method (`~1pets/GET`) or all (`*/*`) on a stage, with API Gateway's defaults.
public struct MethodSetting: Codable, Sendable, Equatable {
    public var metricsEnabled: Bool = false
    public var loggingLevel: LoggingLevel?
    public var dataTraceEnabled: Bool = false
    public var throttlingBurstLimit: Int = 5000
    public var throttlingRateLimit: Double = 10000.0
    public var cachingEnabled: Bool = false
    public var cacheTtlInSeconds: Int = 300
    public var cacheDataEncrypted: Bool = false
    public var requireAuthorizationForCacheControl: Bool = true
    public var unauthorizedCacheControlHeaderStrategy: UnauthorizedCacheControlHeaderStrategy =
        .succeedWithResponseHeader

    public init() {}

    /// The key of the setting for every method.
    public static let allMethodsKey = "*/*"
    /// The most a cache TTL may be, in seconds.
    public static let maximumCacheTtl = 3600

    /// The key of a method's setting: the resource path without its leading slash, `/` written `~1`, then the method.
    /// `/pets` GET is `~1pets/GET`; the root's GET is `~1/GET`.
    public static func key(resourcePath: String, httpMethod: String) -> String {
        "\(resourcePath.replacingOccurrences(of: "/", with: "~1"))/\(httpMethod)"
    }
}

/// A stage's access logging: a CloudWatch Logs or Firehose ARN and a `$context` format.
public struct AccessLogSettings: Codable, Sendable, Equatable {
    public var format: String?
    public var destinationArn: String?

    public init(format: String? = nil, destinationArn: String? = nil) {
        self.format = format
        self.destinationArn = destinationArn
    }
}

/// A stage's canary: `percentTraffic` percent of its requests are served by `deploymentId`, with the stage's
/// variables overridden by `stageVariableOverrides`, and from the stage's cache only when `useStageCache`.
public struct CanarySettings: Codable, Sendable, Equatable {
    public var percentTraffic: Double
    public var deploymentId: String
    public var stageVariableOverrides: [String: String]
    public var useStageCache: Bool

    public init(
        percentTraffic: Double = 0, deploymentId: String, stageVariableOverrides: [String: String] = [:],
        useStageCache: Bool = false
    ) {
        self.percentTraffic = percentTraffic
        self.deploymentId = deploymentId
        self.stageVariableOverrides = stageVariableOverrides
        self.useStageCache = useStageCache
    }

    /// Why `percent` cannot be a canary's share of traffic, or nil: from 0 to 100.
    public static func problem(inPercent percent: Double) -> String? {
        (0...100).contains(percent) ? nil : "Canary traffic percentage must be between 0.0 and 100.0"
    }
}

/// A stage: a named pointer to a deployment, with its cache, throttling and variables.
public struct Stage: Codable, Sendable, Equatable {
    public var stageName: String
    public var restApiId: String
    public var deploymentId: String
    public var description: String?
    public var createdDate: Date
    public var lastUpdatedDate: Date
    public var cacheClusterEnabled: Bool
    public var cacheClusterSize: CacheClusterSize?
    public var cacheClusterStatus: CacheClusterStatus
    public var methodSettings: [String: MethodSetting]
    public var variables: [String: String]
    public var tracingEnabled: Bool
    public var tags: [String: String]
    /// Where and how API Gateway would write access logs (kept and shown; Gatehouse's own access log is local).
    public var accessLogSettings: AccessLogSettings?
    /// The documentation version the stage publishes (what an export of the stage documents).
    public var documentationVersion: String?
    /// A canary release: a share of the stage's traffic served by another deployment.
    public var canarySettings: CanarySettings?

    public init(
        stageName: String, restApiId: String, deploymentId: String, description: String? = nil,
        createdDate: Date = Date(), cacheClusterEnabled: Bool = false, cacheClusterSize: CacheClusterSize? = nil,
        methodSettings: [String: MethodSetting] = [:], variables: [String: String] = [:], tracingEnabled: Bool = false,
        tags: [String: String] = [:]
    ) {
        self.stageName = stageName
        self.restApiId = restApiId
        self.deploymentId = deploymentId
        self.description = description
        self.createdDate = createdDate
        self.lastUpdatedDate = createdDate
        self.cacheClusterEnabled = cacheClusterEnabled
        self.cacheClusterSize = cacheClusterEnabled ? (cacheClusterSize ?? .gb0_5) : cacheClusterSize
        self.cacheClusterStatus = cacheClusterEnabled ? .available : .notAvailable
        self.methodSettings = methodSettings
        self.variables = variables
        self.tracingEnabled = tracingEnabled
        self.tags = tags
    }

    /// The settings of every method (`*/*`); reading a stage that has none gives API Gateway's defaults, and
    /// setting one creates the entry.
    public var allMethods: MethodSetting {
        get { methodSettings[MethodSetting.allMethodsKey] ?? MethodSetting() }
        set { methodSettings[MethodSetting.allMethodsKey] = newValue }
    }

    /// Why `name` cannot be a stage name, or nil: alphanumerics, `-` and `_`, at most 128 characters.
    public static func problem(inName name: String) -> String? {
        if name.isEmpty { return "Stage name must not be empty" }
        if name.count > 128 { return "Stage name must be at most 128 characters" }
        let allowed = name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        return allowed ? nil : "Stage name only allows a-zA-Z0-9_-"
    }

    /// Why a stage variable cannot be set, or nil.
    public static func problem(inVariable name: String, value: String) -> String? {
        let nameOK =
            !name.isEmpty && name.count <= 64
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        if !nameOK { return "Stage variable name '\(name)' must be 1 to 64 letters, digits or underscores" }
        let allowedValue = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#&=,")
        if value.isEmpty || value.count > 512 || !value.allSatisfy({ allowedValue.contains($0) }) {
            return "Stage variable value for '\(name)' must be 1 to 512 characters of [A-Za-z0-9-._~:/?#&=,]"
        }
        return nil
    }
}
