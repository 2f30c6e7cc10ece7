import Foundation

/// A Lambda function Gatehouse runs on this machine: a handler process it starts and serves the Lambda Runtime
/// API to, or an endpoint that speaks the Lambda Invoke API. Integrations and authorizers name it by ARN
/// (`arn:aws:lambda:REGION:123456789012:function:NAME`).
public struct LambdaFunction: Codable, Sendable, Equatable, Identifiable {
    public enum Kind: String, Codable, Sendable {
        /// Gatehouse starts `command` (or its own bootstrap for `runtime`) and serves it the Runtime API.
        case process
        /// Calls go to `invokeURL`'s `POST /2015-03-31/functions/NAME/invocations`.
        case invokeURL
    }

    public var name: String
    public var kind: Kind
    /// `python3` or `nodejs`: Gatehouse's own bootstrap runs `handler` from `code`.
    public var runtime: String?
    /// `module.function` (`app.handler`): what `_HANDLER` says.
    public var handler: String?
    /// The directory the handler is in (`LAMBDA_TASK_ROOT`, the process's working directory).
    public var code: String?
    /// A command speaking the Runtime API itself (a `bootstrap`, `python3 -m awslambdaric app.handler`).
    public var command: [String]?
    /// The Invoke API endpoint: `http://127.0.0.1:3001`.
    public var invokeURL: String?
    public var memorySize: Int
    /// Seconds an invocation may run before it is stopped.
    public var timeout: Int
    /// How many invocations run at once (one per process); more are throttled, as Lambda throttles them.
    public var concurrency: Int
    public var environment: [String: String]
    public var region: String

    public var id: String { name }

    /// What runs: `python3 app.handler`, the command, or the Invoke API endpoint.
    public var runs: String {
        switch kind {
        case .invokeURL: return invokeURL ?? ""
        case .process:
            if let command { return command.joined(separator: " ") }
            return "\(runtime ?? "") \(handler ?? "")"
        }
    }
    public var arn: String { LambdaFunction.arn(name, region: region) }

    /// `arn:aws:lambda:REGION:123456789012:function:NAME`.
    public static func arn(_ name: String, region: String) -> String {
        "arn:aws:lambda:\(region):\(Region.accountId):function:\(name)"
    }

    public static let runtimes = ["python3", "nodejs"]
    public static let defaultMemorySize = 128
    public static let defaultTimeout = 3
    public static let defaultConcurrency = 10

    public init(
        name: String, kind: Kind, runtime: String? = nil, handler: String? = nil, code: String? = nil,
        command: [String]? = nil, invokeURL: String? = nil, memorySize: Int = LambdaFunction.defaultMemorySize,
        timeout: Int = LambdaFunction.defaultTimeout, concurrency: Int = LambdaFunction.defaultConcurrency,
        environment: [String: String] = [:], region: String = Region.default
    ) {
        self.name = name
        self.kind = kind
        self.runtime = runtime
        self.handler = handler
        self.code = code
        self.command = command
        self.invokeURL = invokeURL
        self.memorySize = memorySize
        self.timeout = timeout
        self.concurrency = concurrency
        self.environment = environment
        self.region = region
    }

    /// What is wrong with the definition, in Lambda's terms where Lambda has them; nil when it can run.
    public var problem: String? {
        if name.isEmpty || name.count > 64
            || !name.unicodeScalars.allSatisfy({
                CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == "-" || $0 == "_"
            })
        {
            return "Function name '\(name)' must be 1 to 64 letters, digits, hyphens or underscores"
        }
        guard (128...10240).contains(memorySize) else {
            return "Memory size \(memorySize) MB must be from 128 to 10240"
        }
        guard (1...900).contains(timeout) else { return "Timeout \(timeout) s must be from 1 to 900" }
        guard (1...1000).contains(concurrency) else { return "Concurrency \(concurrency) must be from 1 to 1000" }
        switch kind {
        case .invokeURL:
            guard let invokeURL, let url = URL(string: invokeURL), url.scheme == "http", url.host != nil else {
                return "The invoke URL must be an http:// address, such as http://127.0.0.1:3001"
            }
        case .process:
            if let command {
                guard !command.isEmpty, !command[0].isEmpty else { return "The command is empty" }
            } else {
                guard let runtime, LambdaFunction.runtimes.contains(runtime) else {
                    return "Give a command, or a runtime: \(LambdaFunction.runtimes.joined(separator: " or "))"
                }
                guard let handler, LambdaFunction.handlerParts(handler) != nil else {
                    return "Handler '\(handler ?? "")' must be module.function, such as app.handler"
                }
            }
            guard let code, !code.isEmpty else { return "The code directory is missing" }
        }
        return nil
    }

    /// `app.handler` → (`app`, `handler`); `src/app.handler` keeps its directory.
    public static func handlerParts(_ handler: String) -> (module: String, function: String)? {
        guard let dot = handler.lastIndex(of: "."), dot != handler.startIndex,
            handler.index(after: dot) != handler.endIndex
        else { return nil }
        return (String(handler[..<dot]), String(handler[handler.index(after: dot)...]))
    }

    /// The function an ARN or a name names, with its qualifier (`:alias`, `:$LATEST`, a version) set aside:
    /// `arn:aws:lambda:us-east-1:123456789012:function:hello:live` → `hello`.
    public static func name(fromArn text: String) -> String? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if parts.count >= 7, parts[0] == "arn", parts[2] == "lambda", parts[5] == "function" {
            return parts[6].isEmpty ? nil : parts[6]
        }
        if parts.count <= 2, !parts[0].isEmpty, !parts[0].contains("/") { return parts[0] }
        return nil
    }

    /// The function an integration or authorizer URI invokes:
    /// `arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations` → its name.
    public static func name(fromInvocationUri uri: String) -> String? {
        guard uri.hasPrefix("arn:aws:apigateway:"), let start = uri.range(of: ":lambda:path/2015-03-31/functions/"),
            let end = uri.range(of: "/invocations", options: .backwards), start.upperBound <= end.lowerBound
        else { return nil }
        return name(fromArn: String(uri[start.upperBound..<end.lowerBound]))
    }
}
