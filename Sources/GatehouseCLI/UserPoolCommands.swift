import ArgumentParser
import Foundation
import GatewayControl
import GatewayModel

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

struct UserPoolCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "userpool",
        abstract: "Manage the Cognito user pools whose tokens COGNITO_USER_POOLS authorizers verify.",
        subcommands: [Add.self, List.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a user pool by its id or ARN, with the key set (JWKS) its tokens are signed with.",
            discussion: """
                The key set is read now, from a file or a URL (a pool's own is
                https://cognito-idp.REGION.amazonaws.com/POOL_ID/.well-known/jwks.json); add the pool again with
                --replace to read it again. Authorizers name the pool in providerARNs:
                arn:aws:cognito-idp:REGION:123456789012:userpool/POOL_ID.
                  gatehouse userpool add us-east-1_AbCdEf123 --jwks ./jwks.json
                """)

        @Argument(help: "The pool's id (us-east-1_AbCdEf123) or ARN.")
        var pool: String

        @Option(help: "The key set: a file, or an http(s) URL.")
        var jwks: String

        @Option(help: "The iss its tokens carry (default https://cognito-idp.REGION.amazonaws.com/POOL_ID).")
        var issuer: String?

        @Flag(help: "Replace a pool of the same id (and read its key set again).")
        var replace = false

        @OptionGroup var options: StateOptions

        func run() async throws {
            try await runReporting {
                let text = try await UserPoolCommand.read(jwks)
                let saved = try await options.control().addUserPool(
                    UserPool(id: pool, issuer: issuer, jwks: text, source: jwks), replace: replace)
                if options.json { return print(Render.json(saved)) }
                print("Registered user pool \(saved.id)\n  ARN: \(saved.arn)\n  issuer: \(saved.issuer)")
                print("  keys: \(saved.keyIds.joined(separator: ", "))")
            }
        }
    }

    /// A key set from a file or an http(s) URL.
    static func read(_ source: String) async throws -> String {
        if source.hasPrefix("http://") || source.hasPrefix("https://") {
            guard let url = URL(string: source) else { throw GatewayError.badRequest("--jwks \(source) is no URL") }
            var request = URLRequest(url: url)
            request.timeoutInterval = 10
            let (data, response): (Data, URLResponse)
            do {
                (data, response) = try await URLSession.shared.data(for: request)
            } catch {
                throw GatewayError.badRequest("Cannot read the key set from \(source): \(error.localizedDescription)")
            }
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            guard status == 200 else {
                throw GatewayError.badRequest("Cannot read the key set from \(source): it answered HTTP \(status)")
            }
            return String(decoding: data, as: UTF8.self)
        }
        guard let data = FileManager.default.contents(atPath: source) else {
            throw GatewayError.badRequest("Cannot read the key set file \(source)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the user pools.")
        @OptionGroup var options: StateOptions

        func run() async throws {
            try await runReporting {
                let pools = try options.control().userPools()
                if options.json { return print(Render.json(pools)) }
                print(
                    Render.table(
                        ["POOL", "KEYS", "ISSUER", "FROM"],
                        pools.map {
                            [
                                $0.id,
                                $0.keyIds.joined(separator: ","),
                                $0.issuer, $0.source,
                            ]
                        }))
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a user pool; its tokens are refused.")
        @Argument var pool: String
        @OptionGroup var options: StateOptions

        func run() async throws {
            try await runReporting {
                try await options.control().removeUserPool(pool)
                print("Removed user pool \(UserPool.id(fromArn: pool))")
            }
        }
    }
}
