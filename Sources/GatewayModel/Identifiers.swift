import Synchronization

/// Identifiers in the shapes API Gateway gives them.
///
/// API Gateway publishes no formal grammar for its ids; these lengths are the ones its responses
/// show: 10 lowercase alphanumerics for REST APIs, root resources and API keys, 6 for child
/// resources, deployments, usage plans, VPC links, models and request validators.
public enum Identifiers {
    static let lowercaseAlphanumerics = Array("abcdefghijklmnopqrstuvwxyz0123456789")
    static let alphanumerics = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    /// When bound, ids and key values come from this sequence instead of the system's randomness: the same ids in
    /// every run (golden screens are drawn with them).
    @TaskLocal public static var sequence: Sequence?

    /// A reproducible source of ids (SplitMix64 from a seed).
    public final class Sequence: Sendable {
        private let state: Mutex<UInt64>

        public init(seed: UInt64) { state = Mutex(seed) }

        func next() -> UInt64 {
            state.withLock { state in
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }
        }
    }

    static func characters(_ count: Int, from alphabet: [Character]) -> String {
        if let sequence {
            return String((0..<count).map { _ in alphabet[Int(sequence.next() % UInt64(alphabet.count))] })
        }
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet.randomElement(using: &generator)! })
    }

    /// A random id of `length` lowercase letters and digits.
    public static func make(length: Int) -> String { characters(length, from: lowercaseAlphanumerics) }

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
    public static func apiKeyValue() -> String { characters(40, from: alphanumerics) }

    /// Whether `value` may be a user-given API key value: 20–128 letters and digits.
    public static func isValidApiKeyValue(_ value: String) -> Bool {
        (20...128).contains(value.count) && value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }
}
