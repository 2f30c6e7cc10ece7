import Foundation
import GatewayControl
import GatewayModel
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

@testable import GatewayEngine

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Gatehouse's Lambda host against implementations no one here wrote: AWS's own runtime interface client
/// (`awslambdaric`, from PyPI) speaking to Gatehouse's Runtime API, and moto's Lambda Invoke API (its Docker-free
/// backend, in server mode) answering Gatehouse's invocations. `Tests/Scripts/install` installs both.
@Suite(.serialized) struct LambdaPeerTests {
    let lambda = LambdaTests()

    @Test func awsRuntimeInterfaceClientRunsAHandlerOnGatehousesRuntimeAPI() async throws {
        let source = """
            import json, os
            def handler(event, context):
                print("ric serving", event["path"], context.aws_request_id)
                return {"statusCode": 201, "headers": {"X-Runtime": "awslambdaric"},
                        "body": json.dumps({"path": event["path"], "function": context.function_name,
                                            "memory": context.memory_limit_in_mb,
                                            "arn": context.invoked_function_arn})}
            def fails(event, context):
                raise ValueError("ric refuses")
            """
        let code = try LambdaTests.code(["app.py": source]).path
        let function = LambdaFunction(
            name: "ric", kind: .process, code: code, command: ["python3", "-m", "awslambdaric", "app.handler"],
            memorySize: 256)
        try await lambda.withFunction(function) { control, engine, api, client in
            let first = try await client.send(.GET, "/restapis/\(api.id)/test/_user_request_/items/9")
            #expect(first.status == 201, "\(first.body) \(engine.functionLogLines("ric"))")
            #expect(first.headers.first(name: "X-Runtime") == "awslambdaric")
            let answer = try JSONSerialization.jsonObject(with: Data(first.body.utf8)) as? [String: Any]
            #expect(answer?["path"] as? String == "/items/9")
            #expect(answer?["function"] as? String == "ric")
            #expect(answer?["memory"] as? String == "256")
            #expect(answer?["arn"] as? String == "arn:aws:lambda:us-east-1:123456789012:function:ric")
            // Warm: the second call goes to the same process.
            #expect(try await client.send(.GET, "/restapis/\(api.id)/test/_user_request_/items/10").status == 201)
            #expect(engine.functionStatuses.first { $0.name == "ric" }?.coldStarts == 1)
            #expect(engine.functionLogLines("ric").contains { $0.contains("ric serving /items/10") })
            // The client's error report (POST …/error) is a function error: 502 for a proxy integration.
            var failing = function
            failing.command = ["python3", "-m", "awslambdaric", "app.fails"]
            try await control.addFunction(failing, replace: true)
            let failed = try await client.send(.GET, "/restapis/\(api.id)/test/_user_request_/items/11")
            #expect(failed.status == 502)
            #expect(failed.body == "{\"message\": \"Internal server error\"}")
        }
    }

    /// moto in server mode with its Docker-free Lambda backend: a function created through its API echoes the
    /// payload it is invoked with, or answers what was queued for it.
    @Test func motosInvokeAPIAnswersGatehousesInvocations() async throws {
        let moto = try await MotoServer.start()
        try await withCleanup({ moto.stop() }) {
            try moto.run(
                """
                import boto3, io, json, urllib.request, zipfile
                endpoint = "http://127.0.0.1:%d" % port
                def post(path, body):
                    request = urllib.request.Request(endpoint + path, data=json.dumps(body).encode(), method="POST",
                                                     headers={"Content-Type": "application/json"})
                    urllib.request.urlopen(request).read()
                post("/moto-api/config", {"lambda": {"use_docker": False}})
                session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test",
                                                region_name="us-east-1")
                role = session.client("iam", endpoint_url=endpoint).create_role(
                    RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
                archive = io.BytesIO()
                with zipfile.ZipFile(archive, "w") as z:
                    z.writestr("app.py", "def handler(e, c): return e")
                session.client("lambda", endpoint_url=endpoint).create_function(
                    FunctionName="remote", Runtime="python3.11", Role=role, Handler="app.handler",
                    Code={"ZipFile": archive.getvalue()})
                post("/moto-api/static/lambda-simple/response", {"results": [json.dumps(
                    {"statusCode": 202, "headers": {"X-From": "moto"}, "body": "queued at moto"})], "region": "us-east-1"})
                """)
            let function = LambdaFunction(
                name: "remote", kind: .invokeURL, invokeURL: "http://127.0.0.1:\(moto.port)")
            try await lambda.withFunction(function) { control, _, api, client in
                // AWS_PROXY: moto answers what was queued, a proxy answer.
                let proxied = try await client.send(.GET, "/restapis/\(api.id)/test/_user_request_/items/1")
                #expect(proxied.status == 202, "\(proxied.body)")
                #expect(proxied.headers.first(name: "X-From") == "moto")
                #expect(proxied.body == "queued at moto")
                // AWS (non-proxy): moto echoes the event the request template built; it comes back as the answer.
                let resource = try #require(try control.resources(api: api.id).first { $0.path == "/items/{id}" })
                _ = try await control.putIntegration(
                    api: api.id, resource: resource.id, httpMethod: "GET",
                    integration: Integration(
                        type: .aws, httpMethod: "POST", uri: LambdaTests.uri("remote"),
                        requestTemplates: [
                            "application/json": "{\"item\": \"$input.params('id')\", \"stage\": \"$context.stage\"}"
                        ],
                        integrationResponses: ["200": IntegrationResponse(statusCode: "200")]))
                _ = try await control.createDeployment(api: api.id, stageName: "test")
                let echoed = try await client.send(.GET, "/restapis/\(api.id)/test/_user_request_/items/42")
                #expect(echoed.status == 200)
                #expect(echoed.body == "{\"item\": \"42\", \"stage\": \"test\"}")
            }
        }
    }
}

extension LambdaPeerTests {
    @Test func invocationsAreSignedAsTheGatewayChecksSignatures() throws {
        var request = InvokeRequest(
            method: "POST", path: "/2015-03-31/functions/f/invocations", headers: ["Host": "127.0.0.1:9"],
            body: ByteBuffer(string: "{}"))
        let credentials = SigV4.Credentials(accessKeyId: "AKIDLOCAL", secretAccessKey: "secret")
        SigV4.sign(&request, credentials: credentials, region: "us-east-1", service: "lambda")
        #expect(request.headers.first(name: "Authorization")?.contains("/us-east-1/lambda/aws4_request") == true)
        try SigV4.check(request, path: request.path, credentials: [credentials])
        request.body = ByteBuffer(string: "{\"changed\": true}")
        #expect(throws: SigV4.Problem.self) { try SigV4.check(request, path: request.path, credentials: [credentials]) }
    }
}

/// `python3 -m moto.server` on a loopback port, stopped by `stop`.
final class MotoServer: Sendable {
    let port: Int
    let process: Process

    init(port: Int, process: Process) {
        self.port = port
        self.process = process
    }

    static func start() async throws -> MotoServer {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = [
            "python3", "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])",
        ]
        let output = Pipe()
        probe.standardOutput = output
        try probe.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        probe.waitUntilExit()
        let port = try #require(Int(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let server = MotoServer(port: port, process: process)
        // Ready once it answers its own API.
        for _ in 0..<200 {
            if let url = URL(string: "http://127.0.0.1:\(port)/moto-api/data.json"),
                (try? await URLSession.shared.data(from: url)) != nil
            {
                return server
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        server.stop()
        throw MotoUnavailable()
    }

    struct MotoUnavailable: Error {}
    struct ScriptFailed: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs a Python script with `port` set to the server's.
    func run(_ script: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "port = \(port)\n" + script]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus != 0 { throw ScriptFailed(description: text) }
    }

    func stop() {
        // moto's server (Werkzeug) does not stop on SIGTERM.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
