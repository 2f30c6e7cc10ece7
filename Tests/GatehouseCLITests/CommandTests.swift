import Foundation
import Testing

@Suite struct CommandTests {
    @Test func importListAndExportAsAUserWould() async throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let file = Binary.fixtures.appendingPathComponent("aws-console-petstore-swagger2.json").path

        let imported = try await Binary.run(["import", file, "--state", scratch.state, "--endpoint-type", "regional"])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.hasPrefix("Imported PetStore ("))
        #expect(imported.stdout.contains("from Swagger 2.0: 3 resources, 6 methods, endpoint REGIONAL"))
        #expect(!imported.stdout.contains("warning"), "its documentation parts are imported, not warned about")

        let json = try await Binary.run(["import", file, "--state", scratch.state, "--json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(report["name"] as? String == "PetStore")
        #expect(report["resources"] as? Int == 3)
        #expect(report["methods"] as? Int == 6)
        #expect((report["warnings"] as? [String])?.isEmpty == true)
        let id = try #require(report["id"] as? String)

        let apis = try await Binary.run(["apis", "--state", scratch.state])
        #expect(apis.status == 0)
        let lines = apis.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("ID") == true)
        #expect(lines.count == 3)
        #expect(apis.stdout.contains("REGIONAL"))

        let resources = try await Binary.run(["resources", id, "--state", scratch.state])
        #expect(resources.status == 0)
        #expect(resources.stdout.contains("/pets/{petId}  GET OPTIONS"))
        #expect(resources.stdout.contains("GET: HTTP GET ${uri}/{petId}"))

        let ambiguous = try await Binary.run(["resources", "PetStore", "--state", scratch.state])
        #expect(ambiguous.status != 0)
        #expect(ambiguous.stderr.contains("2 APIs are named PetStore"))

        let exported = try await Binary.run(["export", id, "--format", "swagger2", "--yaml", "--state", scratch.state])
        #expect(exported.status == 0)
        #expect(exported.stdout.hasPrefix("swagger: \"2.0\"") || exported.stdout.hasPrefix("swagger: '2.0'"))
        #expect(exported.stdout.contains("x-amazon-apigateway-integration:"))

        let outFile = scratch.path("export.json")
        let written = try await Binary.run(["export", id, "-o", outFile, "--state", scratch.state])
        #expect(written.status == 0)
        let reimported = try await Binary.run(["import", outFile, "--state", scratch.state])
        #expect(reimported.status == 0, "\(reimported.stderr)")
        #expect(reimported.stdout.contains("from OpenAPI 3.0: 3 resources, 6 methods"))
    }

    @Test func mergeAndOverwriteIntoAnExistingApi() async throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let file = Binary.fixtures.appendingPathComponent("oai-petstore-swagger2.json").path
        let first = try await Binary.run(["import", file, "--state", scratch.state, "--json"])
        let id = try #require(
            (try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])?["id"] as? String)
        let proxy = Binary.fixtures.appendingPathComponent("aws-docs-proxy-resource-oas30.json").path
        let merged = try await Binary.run(["import", proxy, "--api", id, "--state", scratch.state])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(merged.stdout.contains("4 resources, 4 methods"))
        let overwritten = try await Binary.run([
            "import", proxy, "--api", id, "--mode", "overwrite", "--state", scratch.state,
        ])
        #expect(overwritten.stdout.contains("PetStoreWithProxyResource (\(id))"))
        #expect(overwritten.stdout.contains("2 resources, 1 method"))
        let wrongFlag = try await Binary.run([
            "import", proxy, "--api", id, "--endpoint-type", "EDGE", "--state", scratch.state,
        ])
        #expect(wrongFlag.status != 0)
        #expect(wrongFlag.stderr.contains("never changes its endpoint"))
    }

    @Test func badInputGivesOneClearLineAndExitCode() async throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let missing = try await Binary.run(["import", scratch.path("nope.json"), "--state", scratch.state])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("No such file: \(scratch.path("nope.json"))"))
        #expect(missing.stdout.isEmpty)

        let truncated = scratch.path("truncated.yaml")
        try "openapi: 3.0.1\ninfo:\n  title: [unclosed\n".write(toFile: truncated, atomically: true, encoding: .utf8)
        let broken = try await Binary.run(["import", truncated, "--state", scratch.state])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("BadRequestException: The document is not valid YAML"))
        #expect(broken.stderr.contains("line "))

        let traced =
            #"{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"#
            + #""get": {"responses": {"200": {"description": "ok"}}}, "trace": {"responses": {}}}}}"#
        let fromStdin = try await Binary.run(
            ["import", "-", "--state", scratch.state, "--fail-on-warnings"], stdin: Data(traced.utf8))
        #expect(fromStdin.status == 1)
        #expect(fromStdin.stderr.contains("Warning: TRACE is not a method API Gateway supports"))

        let apis = try await Binary.run(["apis", "--state", scratch.state, "--json"])
        #expect(apis.stdout == "[]\n")

        let unknown = try await Binary.run(["export", "nosuchapi", "--state", scratch.state])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("NotFoundException: Invalid API identifier specified 123456789012:nosuchapi"))

        let badOption = try await Binary.run(["import", truncated, "--basepath", "sideways", "--state", scratch.state])
        #expect(badOption.status != 0)
        #expect(badOption.stderr.contains("sideways"))

        let badState = try await Binary.run(["apis", "--state", "/proc/gatehouse/nope.sqlite"])
        #expect(badState.status == 1)
        #expect(badState.stderr.contains("/proc/gatehouse/nope.sqlite"))

        let badTimeout = try await Binary.run(["serve", "--idle-timeout", "0", "--state", scratch.state])
        #expect(badTimeout.status != 0)
        #expect(badTimeout.stderr.contains("--idle-timeout must be a number of seconds above 0"))
        let badBound = try await Binary.run(["serve", "--max-in-flight", "0", "--state", scratch.state])
        #expect(badBound.stderr.contains("--max-in-flight must be between 1 and 1024"))
    }

    @Test func servingBeyondLoopbackWithAnUnsignedControlAPIIsWarnedAbout() async throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        // 127.0.0.2 is not the default and still loopback, so this test reaches nothing outside the machine.
        let loopback = try Running(["serve", "--port", "0", "--bind", "127.0.0.2", "--state", scratch.state])
        defer { loopback.stop() }
        _ = try await loopback.wait(for: #"Gatehouse serving on http://127\.0\.0\.2:(\d+)"#)
        #expect(!loopback.text.contains("warning:"))
        // An address that is not this machine's (TEST-NET-1): the warning comes before the bind, which fails;
        // nothing is sent anywhere.
        let wide = try await Binary.run(["serve", "--port", "0", "--bind", "192.0.2.1", "--state", scratch.state])
        #expect(wide.stderr.contains("warning: 192.0.2.1 is not a loopback address"), "\(wide.stderr)")
        #expect(wide.stderr.contains("Cannot serve on 192.0.2.1"))
        let signed = try await Binary.run([
            "serve", "--port", "0", "--bind", "192.0.2.1", "--require-signature", "--state", scratch.state,
        ])
        #expect(!signed.stderr.contains("warning:"), "\(signed.stderr)")
    }
}

@Suite struct VpcLinkProxyCommandTests {
    @Test func proxyIntegratesEveryMethodThroughTheLink() async throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        #expect(
            try await Binary.run([
                "load-balancer", "create", "nlb", "--target", "127.0.0.1:9", "--state", scratch.state,
            ])
            .status == 0)
        let link = try await Binary.run([
            "vpc-link", "create", "l", "--load-balancer", "nlb", "--state", scratch.state, "--json",
        ])
        let id = try #require(
            (try JSONSerialization.jsonObject(with: Data(link.stdout.utf8)) as? [String: Any])?["id"] as? String)
        let file = Binary.fixtures.appendingPathComponent("oai-petstore-swagger2.json").path
        #expect(try await Binary.run(["import", file, "--state", scratch.state]).status == 0)
        let proxied = try await Binary.run(["vpc-link", "proxy", "Swagger Petstore", id, "--state", scratch.state])
        #expect(proxied.status == 0, "\(proxied.stderr)")
        #expect(proxied.stdout.hasPrefix("3 methods of Swagger Petstore ("))
        let resources = try await Binary.run(["resources", "Swagger Petstore", "--state", scratch.state])
        #expect(resources.stdout.components(separatedBy: "HTTP_PROXY via VPC link \(id)").count - 1 == 3)
        #expect(resources.stdout.contains(".elb.us-east-1.amazonaws.com/pets/{petId}"))
        let unknown = try await Binary.run([
            "vpc-link", "proxy", "Swagger Petstore", "nolink", "--state", scratch.state,
        ])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("Invalid Vpc Link identifier specified"))
    }
}
