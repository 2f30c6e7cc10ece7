import ArgumentParser
import Foundation
import GatewayControl
import GatewayModel

struct FunctionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "function",
        abstract: "Manage the Lambda functions integrations and authorizers invoke (run here, without Docker).",
        subcommands: [Add.self, List.self, Remove.self, Logs.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a function: a handler Gatehouse runs, a command speaking the Runtime API, or an "
                + "Invoke API endpoint.",
            discussion: """
                Its ARN is arn:aws:lambda:REGION:123456789012:function:NAME; an integration invokes it with the URI
                arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations.
                  gatehouse function add hello --runtime python3 --handler app.handler --code ./src
                  gatehouse function add hello --code ./src --command ./bootstrap
                  gatehouse function add hello --invoke-url http://127.0.0.1:3001
                """)

        @Argument(help: "The function's name.")
        var name: String

        @Option(help: "python3 or nodejs: Gatehouse's own runtime client runs --handler from --code.")
        var runtime: String?

        @Option(help: "module.function, such as app.handler (the _HANDLER variable).")
        var handler: String?

        @Option(help: "The directory the handler is in (LAMBDA_TASK_ROOT, the working directory).")
        var code: String?

        @Option(
            help: ArgumentHelp(
                "A command that speaks the Runtime API itself, run through /usr/bin/env in --code.",
                valueName: "command"))
        var command: String?

        @Option(name: .customLong("invoke-url"), help: "An endpoint of the Lambda Invoke API instead of a process.")
        var invokeURL: String?

        @Option(help: "Memory size in MB (AWS_LAMBDA_FUNCTION_MEMORY_SIZE; reported, not enforced).")
        var memory = LambdaFunction.defaultMemorySize

        @Option(help: "Seconds an invocation may run before it is stopped.")
        var timeout = LambdaFunction.defaultTimeout

        @Option(help: "Invocations at once (one per process); more are throttled.")
        var concurrency = LambdaFunction.defaultConcurrency

        @Option(name: .customLong("env"), help: "NAME=VALUE for the function's environment. Repeat for more.")
        var environment: [String] = []

        @Flag(help: "Replace a function of the same name.")
        var replace = false

        @OptionGroup var options: StateOptions

        func run() async throws {
            try await runReporting {
                var variables: [String: String] = [:]
                for pair in environment {
                    let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                    guard parts.count == 2, !parts[0].isEmpty else {
                        throw GatewayError.badRequest("--env \(pair): write NAME=VALUE")
                    }
                    variables[parts[0]] = parts[1]
                }
                let absolute = code.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
                let function = LambdaFunction(
                    name: name, kind: invokeURL == nil ? .process : .invokeURL, runtime: runtime, handler: handler,
                    code: absolute, command: command.map { $0.split(separator: " ").map(String.init) },
                    invokeURL: invokeURL, memorySize: memory, timeout: timeout, concurrency: concurrency,
                    environment: variables)
                let saved = try await options.control().addFunction(function, replace: replace)
                if options.json { return print(Render.json(saved)) }
                print("Registered function \(saved.name)\n  ARN: \(saved.arn)")
                print(
                    "  integration URI: arn:aws:apigateway:\(saved.region):lambda:path/2015-03-31/functions/\(saved.arn)/invocations"
                )
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the functions.")
        @OptionGroup var options: StateOptions

        func run() async throws {
            try await runReporting {
                let functions = try options.control().functions()
                if options.json { return print(Render.json(functions)) }
                print(
                    Render.table(
                        ["NAME", "RUNS", "MEMORY", "TIMEOUT", "CONCURRENCY"],
                        functions.map {
                            [
                                $0.name,
                                $0.runs + ($0.kind == .process && $0.command == nil ? " in \($0.code ?? "")" : ""),
                                "\($0.memorySize) MB", "\($0.timeout) s",
                                String($0.concurrency),
                            ]
                        }))
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a function; its processes stop.")
        @Argument var name: String
        @OptionGroup var options: StateOptions

        func run() async throws {
            try await runReporting {
                try await options.control().removeFunction(name)
                print("Removed function \(name)")
            }
        }
    }

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a function's log (START/END/REPORT lines and what the handler printed, by request id).",
            discussion: "The log is written by the process serving the state (gatehouse serve or the console).")
        @Argument var name: String
        @Option(help: "Only the last N lines.") var tail: Int?
        @Option(name: .customLong("request-id"), help: "Only the lines of one invocation.") var requestId: String?
        @OptionGroup var options: StateOptions

        func run() async throws {
            try await runReporting {
                let control = try options.control()
                let function = try control.function(name)
                guard let directory = control.functionLogDirectory else {
                    return print("A state kept in memory keeps its function logs in the serving process")
                }
                let file = directory.appendingPathComponent("\(function.name).log")
                guard let text = try? String(contentsOf: file, encoding: .utf8) else {
                    return print("No log yet for \(function.name): it is written at \(file.path) once it runs")
                }
                var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
                if let requestId { lines = lines.filter { $0.contains(requestId) } }
                if let tail { lines = Array(lines.suffix(max(0, tail))) }
                print(lines.joined(separator: "\n"))
            }
        }
    }
}
