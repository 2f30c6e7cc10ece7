import ControlAPI
import Foundation
import GatewayControl
import GatewayEngine
import GatewayModel
import SampleBackend
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The control API served by the engine's own listener, next to the invoke URLs.
@Suite(.serialized) struct WireTests {
    func http(_ url: String, method: String = "GET", body: Any? = nil, headers: [String: String] = [:]) async throws
        -> (status: Int, json: [String: Any], text: String)
    {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.timeoutInterval = 10
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body { request.httpBody = try JSONSerialization.data(withJSONObject: body) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let text = String(decoding: data, as: UTF8.self)
        return (
            (response as? HTTPURLResponse)?.statusCode ?? 0,
            (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:], text
        )
    }

    @Test func sharesThePortWithInvokeUrlsAndChangesAreServedAtOnce() async throws {
        let backend = try await PicturesBackend.start(host: "127.0.0.1", port: 0)
        let control = try GatewayControl(location: ":memory:")
        let engine = control.makeEngine(threads: 1, healthCheckMilliseconds: 50)
        try await control.attach(engine)
        engine.serveControl(ControlAPI(control: control).responder)
        let port = try await engine.start(port: 0)
        let controlPort = try await engine.start(port: 0, invoke: false)
        let base = "http://127.0.0.1:\(port)"

        let created = try await http("\(base)/restapis", method: "POST", body: ["name": "pictures"])
        #expect(created.status == 201)
        let api = try #require(created.json["id"] as? String)
        let root = try #require(created.json["rootResourceId"] as? String)
        let all = try #require(
            try await http("\(base)/restapis/\(api)/resources/\(root)", method: "POST", body: ["pathPart": "all"]).json[
                "id"]
                as? String)
        _ = try await http(
            "\(base)/restapis/\(api)/resources/\(all)/methods/GET", method: "PUT", body: ["authorizationType": "NONE"])
        _ = try await http(
            "\(base)/restapis/\(api)/resources/\(all)/methods/GET/integration", method: "PUT",
            body: [
                "type": "HTTP_PROXY", "integrationHttpMethod": "GET",
                "uri": "http://\(backend.address)/api/pictures/all",
            ])

        let tested = try await http(
            "\(base)/restapis/\(api)/resources/\(all)/methods/GET", method: "POST",
            body: ["pathWithQueryString": "/all"])
        #expect(tested.json["status"] as? Int == 200)
        #expect((tested.json["log"] as? String)?.contains("Method completed with status: 200") == true)
        #expect((tested.json["body"] as? String)?.contains("sunrise.jpg") == true)

        let invoke = "\(base)/restapis/\(api)/test/_user_request_/all"
        #expect(try await http(invoke).status == 403, "not deployed yet")
        _ = try await http("\(base)/restapis/\(api)/deployments", method: "POST", body: ["stageName": "test"])
        #expect(try await http(invoke).status == 200, "the deployment is served by the next request")
        _ = try await http(
            "http://127.0.0.1:\(controlPort)/restapis/\(api)/resources/\(all)/methods/GET", method: "PATCH",
            body: patch(("replace", "/apiKeyRequired", "true")))
        _ = try await http(
            "http://127.0.0.1:\(controlPort)/restapis/\(api)/deployments", method: "POST", body: ["stageName": "test"])
        #expect(try await http(invoke).status == 403, "the control port changes what the invoke port serves")

        // A custom domain name routes by Host through its base path mappings.
        _ = try await http("\(base)/domainnames", method: "POST", body: ["domainName": "pictures.example.com"])
        let mapping = try await http(
            "\(base)/domainnames/pictures.example.com/basepathmappings", method: "POST",
            body: ["restApiId": api, "stage": "test", "basePath": "v1"])
        #expect(mapping.status == 201)
        _ = try await http(
            "\(base)/restapis/\(api)/resources/\(all)/methods/GET", method: "PATCH",
            body: patch(("replace", "/apiKeyRequired", "false")))
        _ = try await http("\(base)/restapis/\(api)/deployments", method: "POST", body: ["stageName": "test"])
        let viaDomain = try await http("\(base)/v1/all", headers: ["Host": "pictures.example.com"])
        #expect(viaDomain.status == 200)
        #expect(viaDomain.text.contains("sunrise.jpg"))
        #expect(try await http("\(base)/v2/all", headers: ["Host": "pictures.example.com"]).status == 403)

        // Paths that are neither control nor invoke: API Gateway's answer for unknown paths.
        let unknown = try await http("\(base)/nothing/here")
        #expect(unknown.status == 403)
        #expect(unknown.json["message"] as? String == "Missing Authentication Token")

        try await engine.stop()
        try await backend.stop()
    }
}

/// Authorizers through the control API, and what the engine checks before letting a request through.
@Suite(.serialized) struct AuthorizerTests {
    @Test func authorizersAreManagedAndTheirIdentitySourcesChecked() async throws {
        let (client, engine, port) = try await Client.served()
        // The authorizer's function: allows every request that reaches it.
        let code = FileManager.default.temporaryDirectory.appendingPathComponent("auth-\(UUID().uuidString)")
        try await withCleanup({
            try? await engine.stop()
            try? FileManager.default.removeItem(at: code)
        }) {
            try FileManager.default.createDirectory(at: code, withIntermediateDirectories: true)
            try Data(
                """
                def handler(event, context):
                    return {"principalId": "me", "policyDocument": {"Version": "2012-10-17", "Statement": [
                        {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}]}}
                """.utf8
            ).write(to: code.appendingPathComponent("app.py"))
            try await client.control.addFunction(
                LambdaFunction(
                    name: "auth", kind: .process, runtime: "python3", handler: "app.handler", code: code.path))

            let created = try await client.call("POST", "/restapis", ["name": "secured"])
            let apiId = try #require(created.string("id"))
            let root = try #require(created.string("rootResourceId"))
            let lambda =
                "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations"
            let token = try await client.call(
                "POST", "/restapis/\(apiId)/authorizers",
                [
                    "name": "bearer", "type": "TOKEN", "authorizerUri": lambda,
                    "identitySource": "method.request.header.Authorization",
                    "identityValidationExpression": "Bearer .+",
                ])
            #expect(token.status == 201)
            let tokenId = try #require(token.string("id"))
            #expect(
                try await client.call("POST", "/restapis/\(apiId)/authorizers", ["name": "x", "type": "TOKEN"]).status
                    == 400)
            #expect(try await client.call("GET", "/restapis/\(apiId)/authorizers").items.count == 1)
            #expect(
                try await client.call("GET", "/restapis/\(apiId)/authorizers/nope").message
                    == "Invalid Authorizer identifier specified")
            // TestInvokeAuthorizer runs the function with the token and gives what it returned.
            let tested = try await client.call(
                "POST", "/restapis/\(apiId)/authorizers/\(tokenId)",
                ["headers": ["Authorization": "Bearer abc"], "pathWithQueryString": "/token"])
            #expect(tested.status == 200)
            #expect(tested.json["clientStatus"] as? Int == 200)
            #expect(tested.string("principalId") == "me")
            let policy = try #require(tested.string("policy"))
            #expect(
                policy.contains(
                    "\"Resource\":\"arn:aws:execute-api:us-east-1:123456789012:\(apiId)/test-invoke-stage/GET/token\""),
                "\(policy)")
            #expect(tested.string("log")?.contains("Starting authorizer: \(tokenId)") == true)
            #expect(tested.string("log")?.contains("\"authorizationToken\":\"Bearer abc\"") == true)
            let noToken = try await client.call(
                "POST", "/restapis/\(apiId)/authorizers/\(tokenId)", [:] as [String: String])
            #expect(noToken.json["clientStatus"] as? Int == 401)
            #expect(noToken.json["principalId"] == nil)
            let badToken = try await client.call(
                "POST", "/restapis/\(apiId)/authorizers/\(tokenId)", ["headers": ["Authorization": "Basic abc"]])
            #expect(badToken.json["clientStatus"] as? Int == 401, "does not match the validation expression")
            #expect(
                try await client.call("POST", "/restapis/\(apiId)/authorizers/nope", [:] as [String: String]).status
                    == 404)

            let noAuthorizer = try await client.call(
                "PUT", "/restapis/\(apiId)/resources/\(root)/methods/GET", ["authorizationType": "CUSTOM"])
            #expect(noAuthorizer.status == 400)
            #expect(noAuthorizer.message?.hasPrefix("Invalid authorizer ID specified.") == true)

            var paths: [String: String] = [:]
            for (part, body) in [
                ("token", ["authorizationType": "CUSTOM", "authorizerId": tokenId]),
                ("iam", ["authorizationType": "AWS_IAM"]),
            ] as [(String, [String: String])] {
                let resource = try #require(
                    try await client.call("POST", "/restapis/\(apiId)/resources/\(root)", ["pathPart": part]).string(
                        "id"))
                try await client.mockMethod(api: apiId, resource: resource, body)
                paths[part] = resource
            }
            let inUse = try await client.call("DELETE", "/restapis/\(apiId)/authorizers/\(tokenId)")
            #expect(inUse.status == 409)
            try await client.call("POST", "/restapis/\(apiId)/deployments", ["stageName": "test"])

            func status(_ path: String, _ headers: [String: String] = [:]) async throws -> (Int, String) {
                var request = URLRequest(
                    url: URL(string: "http://127.0.0.1:\(port)/restapis/\(apiId)/test/_user_request_/\(path)")!)
                for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
                let (data, response) = try await URLSession.shared.data(for: request)
                return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
            }
            #expect(try await status("token") == (401, "{\"message\":\"Unauthorized\"}"))
            #expect(try await status("token", ["Authorization": "Basic abc"]).0 == 401, "does not match Bearer .+")
            #expect(try await status("token", ["Authorization": "Bearer abc"]).0 == 200)
            #expect(try await status("iam") == (403, "{\"message\":\"Missing Authentication Token\"}"))
            #expect(try await status("iam", ["Authorization": "Bearer abc"]).0 == 403)
            // Signed by botocore (the aws CLI's signer), checked against the engine's configured key `test`/`test`.
            let iamURL = "http://127.0.0.1:\(port)/restapis/\(apiId)/test/_user_request_/iam?b=2&a=%201"
            let shapeOnly =
                "AWS4-HMAC-SHA256 Credential=test/20261127/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcd"
            let forged = try await status("iam", ["Authorization": shapeOnly, "X-Amz-Date": SigV4Signer.now()])
            #expect(forged.0 == 403)
            #expect(forged.1.contains("The request signature we calculated does not match"))
            #expect(try await status("iam?b=2&a=%201", try SigV4Signer.sign(iamURL)).0 == 200)
            let wrongSecret = try await status("iam?b=2&a=%201", try SigV4Signer.sign(iamURL, secret: "other"))
            #expect(wrongSecret.0 == 403)
            #expect(wrongSecret.1.contains("The Canonical String for this request should have been"))
            #expect(
                try await status("iam?b=2&a=%201", try SigV4Signer.sign(iamURL, key: "AKIDUNKNOWN"))
                    == (403, "{\"message\":\"The security token included in the request is invalid.\"}"))
            let old = try await status("iam?b=2&a=%201", try SigV4Signer.sign(iamURL, at: "2020-01-01T00:00:00"))
            #expect(old.0 == 403)
            #expect(old.1.hasPrefix("{\"message\":\"Signature expired: 20200101T000000Z is now earlier than "))
            #expect(
                try await status("iam?b=2&a=%202", try SigV4Signer.sign(iamURL)).0 == 403,
                "the query is part of what is signed")

            let patched = try await client.call(
                "PATCH", "/restapis/\(apiId)/authorizers/\(tokenId)",
                patch(("replace", "/identitySource", "method.request.header.X-Token")))
            #expect(patched.string("identitySource") == "method.request.header.X-Token")
            try await client.call("POST", "/restapis/\(apiId)/deployments", ["stageName": "test"])
            #expect(
                try await status("token", ["Authorization": "Bearer abc"]).0 == 401, "the token now comes in X-Token")
            #expect(try await status("token", ["X-Token": "Bearer abc"]).0 == 200)
        }
    }
}

/// A method's request validator: required parameters and the body's model, on the invoke URL and in test-invoke.
@Suite(.serialized) struct RequestValidationTests {
    @Test func requestsAreValidatedBeforeTheIntegration() async throws {
        let (client, engine, port) = try await Client.served()
        try await withCleanup({ try? await engine.stop() }) {

            let created = try await client.call("POST", "/restapis", ["name": "validated"])
            let apiId = try #require(created.string("id"))
            let root = try #require(created.string("rootResourceId"))
            try await client.call(
                "POST", "/restapis/\(apiId)/models",
                [
                    "name": "Pet", "contentType": "application/json",
                    "schema":
                        #"{"type": "object", "required": ["name"], "additionalProperties": false, "properties": {"name": {"type": "string", "minLength": 1}, "age": {"type": "integer", "minimum": 0}}}"#,
                ])
            let validator = try #require(
                try await client.call(
                    "POST", "/restapis/\(apiId)/requestvalidators",
                    ["name": "all", "validateRequestBody": true, "validateRequestParameters": true]
                ).string("id"))
            let pets = try #require(
                try await client.call("POST", "/restapis/\(apiId)/resources/\(root)", ["pathPart": "pets"]).string("id")
            )
            let method = "/restapis/\(apiId)/resources/\(pets)/methods/POST"
            try await client.mockMethod(
                api: apiId, resource: pets, verb: "POST",
                [
                    "authorizationType": "NONE", "requestValidatorId": validator,
                    "requestParameters": [
                        "method.request.querystring.owner": true, "method.request.header.X-Trace": false,
                    ],
                    "requestModels": ["application/json": "Pet"],
                ])
            try await client.call("POST", "/restapis/\(apiId)/deployments", ["stageName": "test"])

            func post(_ query: String, _ body: String) async throws -> (Int, String) {
                var request = URLRequest(
                    url: URL(string: "http://127.0.0.1:\(port)/restapis/\(apiId)/test/_user_request_/pets\(query)")!)
                request.httpMethod = "POST"
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                request.httpBody = Data(body.utf8)
                let (data, response) = try await URLSession.shared.data(for: request)
                return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
            }
            #expect(
                try await post("", #"{"name": "rex"}"#) == (
                    400, #"{"message":"Missing required request parameters: [owner]"}"#
                ))
            #expect(try await post("?owner=ann", "{}") == (400, #"{"message":"Invalid request body"}"#))
            #expect(try await post("?owner=ann", #"{"name": "rex", "age": -1}"#).0 == 400)
            #expect(try await post("?owner=ann", #"{"name": "rex", "colour": "red"}"#).0 == 400)
            #expect(try await post("?owner=ann", "not json").0 == 400)
            #expect(try await post("?owner=ann", #"{"name": "rex", "age": 3}"#).0 == 200)

            let refused = try await client.call(
                "POST", method, ["pathWithQueryString": "/pets", "body": #"{"name": "rex"}"#])
            #expect(refused["status"] as? Int == 400)
            #expect(
                (refused["log"] as? String)?.contains(
                    "Request validation failed: Missing required request parameters: [owner]") == true)
            let passed = try await client.call(
                "POST", method,
                [
                    "pathWithQueryString": "/pets?owner=ann", "body": #"{"name": "rex"}"#,
                    "headers": ["Content-Type": "application/json"],
                ])
            #expect(passed["status"] as? Int == 200)
            #expect(
                (passed["log"] as? String)?.contains("Request validation succeeded for content type application/json")
                    == true)
        }
    }
}

/// GetUsage reports what the engine counted, day by day.
@Suite(.serialized) struct UsageTests {
    @Test func usageIsCountedPerDay() async throws {
        let (client, engine, port) = try await Client.served()
        try await withCleanup({ try? await engine.stop() }) {
            let (apiId, root) = try await client.createApi("metered")
            try await client.mockMethod(
                api: apiId, resource: root, ["authorizationType": "NONE", "apiKeyRequired": true])
            try await client.call("POST", "/restapis/\(apiId)/deployments", ["stageName": "test"])
            let key = try await client.call("POST", "/apikeys", ["name": "k", "enabled": true])
            let keyId = try #require(key.string("id"))
            let value = try #require(key.string("value"))
            let plan = try #require(
                try await client.call(
                    "POST", "/usageplans",
                    [
                        "name": "p", "apiStages": [["apiId": apiId, "stage": "test"]],
                        "quota": ["limit": 5, "period": "DAY"],
                    ]
                ).string("id"))
            try await client.call("POST", "/usageplans/\(plan)/keys", ["keyId": keyId, "keyType": "API_KEY"])

            var request = URLRequest(
                url: URL(string: "http://127.0.0.1:\(port)/restapis/\(apiId)/test/_user_request_/")!)
            request.setValue(value, forHTTPHeaderField: "x-api-key")
            for _ in 0..<3 {
                let (_, response) = try await URLSession.shared.data(for: request)
                #expect((response as? HTTPURLResponse)?.statusCode == 200)
            }
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyy-MM-dd"
            formatter.timeZone = TimeZone(identifier: "UTC")
            let today = formatter.string(from: Date())
            let yesterday = formatter.string(from: Date().addingTimeInterval(-86_400))
            try client.control.store.writeCounters { try $0.setDailyUsage(4, plan: plan, key: keyId, day: yesterday) }

            let usage = try await client.call(
                "GET", "/usageplans/\(plan)/usage?startDate=\(yesterday)&endDate=\(today)")
            #expect(usage.status == 200)
            #expect((usage["values"] as? [String: [[Int]]])?[keyId] == [[4, 1], [3, 2]], "\(usage.text)")
        }
    }
}

/// Signs requests as the aws CLI does (botocore's SigV4Auth), so the engine's check meets a signer it did not write.
enum SigV4Signer {
    static func now() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: Date())
    }

    /// The headers botocore adds to a GET of `url` (`X-Amz-Date`, `Authorization`), signed with `key`/`secret`
    /// for `execute-api` in us-east-1, at `at` (ISO 8601, UTC) or now.
    static func sign(_ url: String, key: String = "test", secret: String = "test", at: String? = nil) throws
        -> [String: String]
    {
        let script = """
            import sys, json, datetime, botocore.auth, botocore.awsrequest, botocore.credentials
            url, key, secret, at = sys.argv[1:5]
            if at:
                fixed = datetime.datetime.fromisoformat(at).replace(tzinfo=datetime.timezone.utc)
                botocore.auth.get_current_datetime = lambda *a, **k: fixed
            request = botocore.awsrequest.AWSRequest(method="GET", url=url)
            credentials = botocore.credentials.Credentials(key, secret)
            botocore.auth.SigV4Auth(credentials, "execute-api", "us-east-1").add_auth(request)
            print(json.dumps({k: v for k, v in request.headers.items() if k in ("X-Amz-Date", "Authorization")}))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, url, key, secret, at ?? ""]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let headers = try JSONSerialization.jsonObject(with: data) as? [String: String]
        else { throw SignerError() }
        return headers
    }

    struct SignerError: Error {}
}

/// TestInvokeMethod as AWS answers it where the method or the path is not spelled out.
@Suite(.serialized) struct TestInvokeEdgeTests {
    @Test func anyMethodsTakeAnyVerbAndAMissingPathIsTheResourcesOwn() async throws {
        let (client, engine, _) = try await Client.served()
        try await withCleanup({ try? await engine.stop() }) {
            let (apiId, root) = try await client.createApi("edges")
            let item = try #require(
                try await client.call("POST", "/restapis/\(apiId)/resources/\(root)", ["pathPart": "items"]).string(
                    "id"))
            let validator = try #require(
                try await client.call(
                    "POST", "/restapis/\(apiId)/requestvalidators",
                    ["name": "params", "validateRequestBody": false, "validateRequestParameters": true]
                ).string("id"))
            try await client.mockMethod(api: apiId, resource: item, verb: "ANY", ["authorizationType": "NONE"])

            // GET on a resource that has only ANY runs the ANY method with GET.
            let get = try await client.call("POST", "/restapis/\(apiId)/resources/\(item)/methods/GET", [:])
            #expect(get["status"] as? Int == 200, "\(get.text)")
            let log = try #require(get["log"] as? String)
            #expect(log.contains("HTTP Method: GET, Resource Path: /items"), "\(log)")

            // A required path parameter the path does not bind is missing, named with the others.
            try await client.call(
                "PATCH", "/restapis/\(apiId)/resources/\(item)/methods/ANY",
                patch(
                    ("add", "/requestParameters/method.request.path.itemId", "true"),
                    ("add", "/requestParameters/method.request.querystring.owner", "true"),
                    ("replace", "/requestValidatorId", validator)))
            let refused = try await client.call(
                "POST", "/restapis/\(apiId)/resources/\(item)/methods/POST", ["pathWithQueryString": "/items"])
            #expect(refused["status"] as? Int == 400)
            #expect(
                (refused["log"] as? String)?.contains(
                    "Request validation failed: Missing required request parameters: [itemId, owner]") == true,
                "\(refused.text)")
        }
    }
}
