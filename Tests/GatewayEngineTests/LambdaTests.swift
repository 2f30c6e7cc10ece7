import Foundation
import GatewayControl
import GatewayModel
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

@testable import GatewayEngine

/// Lambda functions run by Gatehouse behind AWS_PROXY and AWS integrations: real handler processes (Python,
/// Node, a shell `bootstrap` speaking the Runtime API with curl) over loopback.
@Suite(.serialized) struct LambdaTests {
    let harness = IntegrationTests()

    /// A directory holding `files`, removed by `cleanUp`.
    static func code(_ files: [String: String]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, text) in files {
            let file = directory.appendingPathComponent(name)
            try Data(text.utf8).write(to: file)
            if name == "bootstrap" {
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
            }
        }
        return directory
    }

    static func uri(_ name: String) -> String {
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:\(name)/invocations"
    }

    /// Serves `integration` on GET|POST `path` with `function` registered; runs `body`, then stops it all.
    func withFunction(
        _ function: LambdaFunction, integration: Integration? = nil, path: String = "/items/{id}",
        method: String = "GET",
        _ body: (GatewayControl, GatewayEngine, RestApi, TestClient) async throws -> Void
    ) async throws {
        let integration =
            integration ?? Integration(type: .awsProxy, httpMethod: "POST", uri: LambdaTests.uri(function.name))
        let (control, engine, api, client) = try await harness.serve(integration, path: path, method: method)
        try await withCleanup({
            try? await engine.stop()
            if let code = function.code { try? FileManager.default.removeItem(atPath: code) }
        }) {
            try await control.addFunction(function)
            try await body(control, engine, api, client)
        }
    }

    static let echo = """
        import json, os, time
        def handler(event, context):
            path = event["path"]
            if path.endswith("/slow"):
                time.sleep(float(event["queryStringParameters"]["s"]))
            if path.endswith("/exit"):
                os._exit(3)
            if path.endswith("/raise"):
                raise KeyError("no such thing")
            print("serving", path, "in", os.getpid())
            return {"statusCode": 200, "headers": {"X-Pid": str(os.getpid())},
                    "multiValueHeaders": {"X-Many": ["a", "b"]},
                    "body": json.dumps({"event": event, "remaining": context.get_remaining_time_in_millis(),
                                        "name": context.function_name, "env": os.environ.get("AWS_LAMBDA_FUNCTION_NAME")})}
        """

    func python(_ name: String, source: String = LambdaTests.echo, timeout: Int = 3, concurrency: Int = 10) throws
        -> LambdaFunction
    {
        LambdaFunction(
            name: name, kind: .process, runtime: "python3", handler: "app.handler",
            code: try LambdaTests.code(["app.py": source]).path, timeout: timeout, concurrency: concurrency)
    }

    @Test func theProxyEventIsTheOneAPIGatewayBuilds() async throws {
        try await withFunction(try python("echo")) { _, engine, api, client in
            let answer = try await client.send(
                .GET, "/restapis/\(api.id)/test/_user_request_/items/42?a=1&a=2&b=x%20y",
                headers: ["X-Trace": "one", "x-trace": "two", "User-Agent": "tests"])
            #expect(answer.status == 200, "\(answer.body)")
            #expect(answer.headers[canonicalForm: "X-Many"] == ["a", "b"])
            let object = try #require(answer.json as? [String: Any])
            let event = try #require(object["event"] as? [String: Any])
            // The fields of AWS's example event in "Lambda proxy integration" (payload format 1.0).
            #expect(
                Set(event.keys) == [
                    "resource", "path", "httpMethod", "headers", "multiValueHeaders", "queryStringParameters",
                    "multiValueQueryStringParameters", "pathParameters", "stageVariables", "requestContext", "body",
                    "isBase64Encoded",
                ])
            #expect(event["resource"] as? String == "/items/{id}")
            #expect(event["path"] as? String == "/items/42")
            #expect(event["httpMethod"] as? String == "GET")
            #expect(event["pathParameters"] as? [String: String] == ["id": "42"])
            #expect(event["queryStringParameters"] as? [String: String] == ["a": "2", "b": "x y"])
            #expect(
                event["multiValueQueryStringParameters"] as? [String: [String]] == ["a": ["1", "2"], "b": ["x y"]])
            #expect((event["headers"] as? [String: String])?["X-Trace"] == "two")
            #expect((event["multiValueHeaders"] as? [String: [String]])?["X-Trace"] == ["one", "two"])
            #expect(event["stageVariables"] is NSNull)
            #expect(event["body"] is NSNull)
            #expect(event["isBase64Encoded"] as? Bool == false)
            let context = try #require(event["requestContext"] as? [String: Any])
            #expect(
                Set(context.keys).isSuperset(of: [
                    "accountId", "apiId", "domainName", "domainPrefix", "extendedRequestId", "httpMethod", "identity",
                    "path", "protocol", "requestId", "requestTime", "requestTimeEpoch", "resourceId", "resourcePath",
                    "stage",
                ]))
            #expect(context["accountId"] as? String == "123456789012")
            #expect(context["apiId"] as? String == api.id)
            #expect(context["path"] as? String == "/test/items/42")
            #expect(context["resourcePath"] as? String == "/items/{id}")
            #expect(context["requestId"] as? String == answer.headers.first(name: "x-amzn-RequestId"))
            let identity = try #require(context["identity"] as? [String: Any])
            #expect(identity["sourceIp"] as? String == "127.0.0.1")
            #expect(identity["userAgent"] as? String == "tests")
            #expect(identity.keys.contains("cognitoIdentityId"))
            #expect(object["name"] as? String == "echo")
            #expect(object["env"] as? String == "echo")
            let remaining = try #require(object["remaining"] as? Int)
            #expect(remaining > 0 && remaining <= 3000)
            #expect(engine.functionLogLines("echo").contains { $0.contains("serving /items/42") })
        }
    }

    @Test func aWarmProcessServesTheNextCallAndABinaryBodyArrivesAsBase64() async throws {
        try await withFunction(try python("warm"), method: "POST") { control, engine, api, client in
            _ = try await control.updateRestApi(api.id) { $0.binaryMediaTypes = ["image/png"] }
            _ = try await control.createDeployment(api: api.id, stageName: "test")
            let base = "/restapis/\(api.id)/test/_user_request_/items/1"
            let first = try await client.send(.POST, base, body: "plain text")
            let second = try await client.send(
                .POST, base, headers: ["Content-Type": "image/png"], bytes: [0x89, 0x50, 0xFF])
            #expect(first.headers.first(name: "X-Pid") == second.headers.first(name: "X-Pid"))
            #expect(engine.functionStatuses.first?.coldStarts == 1)
            let firstEvent = try #require((first.json as? [String: Any])?["event"] as? [String: Any])
            #expect(firstEvent["body"] as? String == "plain text")
            let secondEvent = try #require((second.json as? [String: Any])?["event"] as? [String: Any])
            #expect(secondEvent["isBase64Encoded"] as? Bool == true)
            #expect(secondEvent["body"] as? String == Data([0x89, 0x50, 0xFF]).base64EncodedString())
        }
    }

    @Test func callsBeyondTheConcurrencyAreThrottled() async throws {
        try await withFunction(try python("single", timeout: 20, concurrency: 1)) { _, engine, api, client in
            let base = "/restapis/\(api.id)/test/_user_request_/items/slow?s=2"
            let slow = Task { try await client.send(.GET, base) }
            // Wait until the one process is in its invocation.
            var waited = 0
            while engine.functionStatuses.first?.busy != 1 || engine.functionStatuses.first?.instances != 1,
                waited < 400
            {
                try await Task.sleep(for: .milliseconds(25))
                waited += 1
            }
            let other = TestClient(port: client.port)
            let throttled = try await other.send(.GET, "/restapis/\(api.id)/test/_user_request_/items/1")
            #expect(throttled.status == 500)
            #expect(throttled.body == "{\"message\": \"Internal server error\"}")
            #expect(try await slow.value.status == 200)
            #expect(engine.functionStatuses.first?.throttles == 1)
        }
    }

    @Test func aTimeoutACrashAndAnErrorEachAnswer502AndAreLogged() async throws {
        try await withFunction(try python("faulty", timeout: 1)) { control, engine, api, client in
            let base = "/restapis/\(api.id)/test/_user_request_/items"
            let slow = try await client.send(.GET, base + "/slow?s=5")
            #expect(slow.status == 502)
            #expect(slow.body == "{\"message\": \"Internal server error\"}")
            let crash = try await client.send(.GET, base + "/exit")
            #expect(crash.status == 502)
            let raised = try await client.send(.GET, base + "/raise")
            #expect(raised.status == 502)
            let fine = try await client.send(.GET, base + "/1")
            #expect(fine.status == 200)
            let lines = engine.functionLogLines("faulty")
            #expect(lines.contains { $0.contains("Task timed out after 1.00 seconds") }, "\(lines)")
            #expect(lines.contains { $0.contains("Runtime exited with error: exit status 3") })
            #expect(lines.contains { $0.contains("[ERROR] KeyError: 'no such thing'") })
            #expect(lines.contains { $0.hasPrefix("REPORT RequestId: ") && $0.contains("Init Duration: ") })
            let status = try #require(engine.functionStatuses.first)
            #expect(status.coldStarts == 3, "a timeout and a crash each end their process; an error does not")
            let resource = try #require(try control.resources(api: api.id).first { $0.path == "/items/{id}" })
            let test = try await control.testInvoke(
                api: api.id, resource: resource.id, httpMethod: "GET",
                input: .init(pathWithQueryString: "/items/raise"))
            #expect(test.status == 502)
            #expect(
                test.log.contains(
                    "Lambda execution failed with status 200 due to customer function error: 'no such thing'"),
                "\(test.log)")
        }
    }

    @Test func proxyAnswersAreCheckedAsAWSChecksThem() async throws {
        let source = """
            import json
            def handler(event, context):
                return json.loads(event["body"])
            """
        try await withFunction(try python("shapes", source: source), method: "POST") { _, _, api, client in
            let base = "/restapis/\(api.id)/test/_user_request_/items/1"
            func send(_ answer: String) async throws -> TestClient.Response {
                try await client.send(.POST, base, body: answer)
            }
            // AWS's recorded answers for these shapes.
            #expect(try await send("{\"statusCode\": 200}").status == 200)
            #expect(try await send("{\"statusCode\": \"201\"}").status == 201)
            #expect(try await send("{\"headers\": {\"a\": \"b\"}}").status == 200)
            #expect(try await send("{\"statusCode\": 200, \"wrongValue\": 1}").status == 502)
            #expect(try await send("{}").status == 502)
            #expect(try await send("\"justAString\"").status == 502)
            #expect(try await send("{\"statusCode\": \"test\"}").status == 502)
            #expect(try await send("{\"statusCode\": 200, \"multiValueHeaders\": {\"x\": \"one\"}}").status == 502)
            let headers = try await send(
                "{\"statusCode\": 200, \"headers\": {\"x-bool\": true, \"x-n\": 3}, \"multiValueHeaders\": {\"x-m\": [\"1\", \"2\"]}}"
            )
            #expect(headers.headers.first(name: "x-bool") == "true")
            #expect(headers.headers.first(name: "x-n") == "3")
            #expect(headers.headers[canonicalForm: "x-m"] == ["1", "2"])
            let encoded = try await send(
                "{\"statusCode\": 200, \"body\": \"\(Data("test-data".utf8).base64EncodedString())\", \"isBase64Encoded\": true}"
            )
            #expect(encoded.body == "test-data")
            let plain = try await send("{\"statusCode\": 200, \"body\": \"dGVzdC1kYXRh\"}")
            #expect(plain.body == "dGVzdC1kYXRh")
        }
    }

    @Test func aShellBootstrapSpeakingTheRuntimeAPIWithCurlWorks() async throws {
        let bootstrap = """
            #!/bin/sh
            set -eu
            while true; do
              headers=$(mktemp)
              event=$(curl -sS -D "$headers" "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next")
              id=$(grep -i '^lambda-runtime-aws-request-id:' "$headers" | tr -d '\\r' | cut -d' ' -f2)
              rm -f "$headers"
              echo "handling $id with $_HANDLER"
              curl -sS -X POST "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$id/response" \\
                -d "{\\"statusCode\\": 200, \\"body\\": \\"shell saw $(printf '%s' "$event" | wc -c) bytes\\"}" > /dev/null
            done
            """
        let function = LambdaFunction(
            name: "shell", kind: .process, handler: "function.handler",
            code: try LambdaTests.code(["bootstrap": bootstrap]).path, command: ["./bootstrap"])
        try await withFunction(function) { _, engine, api, client in
            let answer = try await client.send(.GET, "/restapis/\(api.id)/test/_user_request_/items/7")
            #expect(answer.status == 200)
            #expect(answer.body.hasPrefix("shell saw "), "\(answer.body)")
            #expect(engine.functionLogLines("shell").contains { $0.contains("with function.handler") })
        }
    }

    @Test func aNodeHandlerRunsAsyncAndCallbackStyles() async throws {
        let source = """
            exports.handler = async (event, context) => ({
              statusCode: 200, body: JSON.stringify({ style: "async", id: event.pathParameters.id, fn: context.functionName }) });
            exports.legacy = (event, context, callback) => {
              if (event.pathParameters.id === "fail") return callback(new Error("legacy failed"));
              callback(null, { statusCode: 202, body: "callback" });
            };
            """
        let directory = try LambdaTests.code(["index.js": source])
        let function = LambdaFunction(
            name: "node", kind: .process, runtime: "nodejs", handler: "index.handler", code: directory.path)
        try await withFunction(function) { control, _, api, client in
            let answer = try await client.send(.GET, "/restapis/\(api.id)/test/_user_request_/items/9")
            #expect(answer.status == 200, "\(answer.body)")
            #expect(answer.body == "{\"style\":\"async\",\"id\":\"9\",\"fn\":\"node\"}")
            var legacy = function
            legacy.handler = "index.legacy"
            try await control.addFunction(legacy, replace: true)
            let callback = try await client.send(.GET, "/restapis/\(api.id)/test/_user_request_/items/1")
            #expect(callback.status == 202)
            #expect(callback.body == "callback")
            let failed = try await client.send(.GET, "/restapis/\(api.id)/test/_user_request_/items/fail")
            #expect(failed.status == 502)
        }
    }

    @Test func anAWSIntegrationMapsTheEventAndSelectsOnTheErrorMessage() async throws {
        let source = """
            def handler(event, context):
                if event["id"] == "missing":
                    raise Exception("Not found: " + event["id"])
                return {"id": event["id"], "stage": event["stage"]}
            """
        let function = try python("custom", source: source)
        let integration = Integration(
            type: .aws, httpMethod: "POST", uri: LambdaTests.uri("custom"),
            requestTemplates: [
                "application/json": "{\"id\": \"$input.params('id')\", \"stage\": \"$context.stage\"}"
            ],
            integrationResponses: [
                "200": IntegrationResponse(
                    statusCode: "200",
                    responseTemplates: ["application/json": "#set($r = $input.path('$'))item $r.id on $r.stage"]),
                "404": IntegrationResponse(
                    statusCode: "404", selectionPattern: "Not found: .*",
                    responseTemplates: ["application/json": "{\"error\": \"$input.path('$.errorMessage')\"}"]),
            ])
        try await withFunction(function, integration: integration) { _, _, api, client in
            let found = try await client.send(.GET, "/restapis/\(api.id)/test/_user_request_/items/7")
            #expect(found.status == 200)
            #expect(found.body == "item 7 on test")
            let missing = try await client.send(.GET, "/restapis/\(api.id)/test/_user_request_/items/missing")
            #expect(missing.status == 404)
            #expect(missing.body == "{\"error\": \"Not found: missing\"}")
        }
    }

    @Test func anInvokeAPIEndpointIsCalledAsLambdaIs() async throws {
        let endpoint = try await ScriptedServer { head in
            guard head.uri == "/2015-03-31/functions/remote/invocations", head.method == .POST else {
                return .respond(status: 404, headers: [], body: "{\"Type\":\"User\",\"message\":\"nope\"}")
            }
            return .respond(
                status: 200, headers: [], body: "{\"statusCode\": 200, \"body\": \"from the endpoint\"}")
        }
        try await withCleanup({ await endpoint.stop() }) {
            let function = LambdaFunction(
                name: "remote", kind: .invokeURL, invokeURL: "http://127.0.0.1:\(endpoint.port)")
            try await withFunction(function) { _, _, api, client in
                let answer = try await client.send(.GET, "/restapis/\(api.id)/test/_user_request_/items/1")
                #expect(answer.status == 200)
                #expect(answer.body == "from the endpoint")
                #expect(endpoint.requestCount == 1)
            }
        }
    }

    @Test func anUnregisteredFunctionAnswers500AndSaysSo() async throws {
        let integration = Integration(type: .awsProxy, httpMethod: "POST", uri: LambdaTests.uri("ghost"))
        let (control, engine, api, client) = try await harness.serve(integration, path: "/items/{id}")
        try await withCleanup({ try? await engine.stop() }) {
            let answer = try await client.send(.GET, "/restapis/\(api.id)/test/_user_request_/items/1")
            #expect(answer.status == 500)
            let resource = try #require(try control.resources(api: api.id).first { $0.path == "/items/{id}" })
            let test = try await control.testInvoke(
                api: api.id, resource: resource.id, httpMethod: "GET", input: .init(pathWithQueryString: "/items/1"))
            #expect(test.log.contains("Function not found: arn:aws:lambda:us-east-1:123456789012:function:ghost"))
        }
    }

    @Test func namesComeOutOfARNsAndInvocationURIs() {
        #expect(LambdaFunction.name(fromArn: "arn:aws:lambda:us-east-1:123456789012:function:hello:live") == "hello")
        #expect(LambdaFunction.name(fromArn: "arn:aws:lambda:us-east-1:123456789012:function:hello") == "hello")
        #expect(LambdaFunction.name(fromArn: "hello:$LATEST") == "hello")
        #expect(LambdaFunction.name(fromInvocationUri: LambdaTests.uri("x-1")) == "x-1")
        #expect(LambdaFunction.name(fromInvocationUri: "arn:aws:apigateway:us-east-1:s3:path/bucket/key") == nil)
        #expect(
            LambdaFunction(name: "bad name", kind: .process, runtime: "python3", handler: "a.b", code: "/").problem
                != nil)
        #expect(LambdaFunction(name: "ok", kind: .process, runtime: "ruby", handler: "a.b", code: "/").problem != nil)
    }
}
