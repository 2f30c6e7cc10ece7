/// Identifiers in the shapes API Gateway gives them.
///
/// API Gateway publishes no formal grammar for its ids; these lengths are the ones its responses
/// show: 10 lowercase alphanumerics for REST APIs, root resources and API keys, 6 for child
/// resources, deployments, usage plans, VPC links, models and request validators.
public enum Identifiers {
    static let lowercaseAlphanumerics = Array("abcdefghijklmnopqrstuvwxyz0123456789")
    static let alphanumerics = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    /// A random id of `length` lowercase letters and digits.
    public static func make(length: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in lowercaseAlphanumerics.randomElement(using: &generator)! })
    }

    /// A REST API id (10 characters), e.g. `beags1mnid`.
    public static func restApi() -> String { make(length: 10) }
    /// A root resource id (10 characters).
    public static func rootResource() -> String { make(length: 10) }
    /// A child resource id (6 characters).
    public static func resource() -> String { make(length: 6) }
    /// A deployment id (6 characters).
    public static func deployment() -> String { make(length: 6) }
    /// A usage plan id (6 characters).
    public static func usagePlan() -> String { make(length: 6) }
    /// An API key id (10 characters).
    public static func apiKey() -> String { make(length: 10) }
    /// A VPC link id (6 characters).
    public static func vpcLink() -> String { make(length: 6) }
    /// A model, request validator or authorizer id (6 characters).
    public static func shortObject() -> String { make(length: 6) }

    /// A generated API key value: 40 letters and digits, mixed case.
    public static func apiKeyValue() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<40).map { _ in alphanumerics.randomElement(using: &generator)! })
    }

    /// Whether `value` may be a user-given API key value: 20–128 letters and digits.
    public static func isValidApiKeyValue(_ value: String) -> Bool {
        (20...128).contains(value.count) && value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }
}
