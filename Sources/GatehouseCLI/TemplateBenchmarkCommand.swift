import ArgumentParser
import Foundation
import GatewayControl
import GatewayEngine
import GatewayModel
import VTL

/// Times mapping templates: three typical ones evaluated in process, and (with `--serve`) two MOCK methods on a
/// running engine, one with templates and one without, for a load tool to compare.
struct TemplateBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-templates", abstract: "Time mapping templates.", shouldDisplay: false)

    @Option(help: "Evaluations of each template.")
    var calls: Int = 2000

    @Flag(help: "Serve two MOCK methods (with and without templates) and print their URLs, until stopped.")
    var serve = false

    static let petstore = """
        #set($inputRoot = $input.path('$'))
        [
        #foreach($elem in $inputRoot)
          {
            "description" : "Item $elem.id is a $elem.type.",
            "askingPrice" : $elem.price
          }#if($foreach.hasNext),#end

        #end
        ]
        """

    static let passthrough = """
        #set($allParams = $input.params())
        {
        "body-json" : $input.json('$'),
        "params" : {
        #foreach($type in $allParams.keySet())
            #set($params = $allParams.get($type))
        "$type" : {
            #foreach($paramName in $params.keySet())
            "$paramName" : "$util.escapeJavaScript($params.get($paramName))"
                #if($foreach.hasNext),#end
            #end
        }
            #if($foreach.hasNext),#end
        #end
        },
        "context" : {"request-id" : "$context.requestId", "source-ip" : "$context.identity.sourceIp"}
        }
        """

    static let gatewayResponse = "{\"message\":$context.error.messageString, \"type\": \"$context.error.responseType\"}"

    /// About 10 KB of pets.
    static var petstoreBody: String {
        let kinds = ["dog", "cat", "fish", "bird", "hamster"]
        let pets = (1...230).map { index in
            "{\"id\": \(index), \"type\": \"\(kinds[index % kinds.count])\", \"price\": \(Double(index) + 0.99)}"
        }
        return "[" + pets.joined(separator: ", ") + "]"
    }

    func run() async throws {
        if serve { return try await serveMocks() }
        let body = Self.petstoreBody
        let cases: [(String, String, MappingVariables)] = [
            ("petstore mapping over a \(body.utf8.count / 1024) KB body", Self.petstore, MappingVariables(body: body)),
            (
                "reading the same body alone ($input.path('$').size())", "$input.path('$').size()",
                MappingVariables(body: body)
            ),
            (
                "$input.params() loop (passthrough template)", Self.passthrough,
                MappingVariables(
                    body: "{\"hello\": \"world\"}", path: [("id", "7")], querystring: [("q", "x"), ("page", "2")],
                    header: [("Accept", "*/*"), ("Host", "example.com"), ("User-Agent", "curl/8")],
                    context: [("requestId", .string("r-1")), ("identity.sourceIp", .string("127.0.0.1"))])
            ),
            (
                "gateway response", Self.gatewayResponse,
                MappingVariables(context: [
                    ("error.messageString", .string("\"Forbidden\"")),
                    ("error.responseType", .string("INVALID_API_KEY")),
                ])
            ),
        ]
        for (name, source, variables) in cases {
            let template = try Template(source)
            var times: [Double] = []
            var length = 0
            for _ in 0..<calls {
                let started = ContinuousClock.now
                length = try template.render(variables.values).utf8.count
                let elapsed = ContinuousClock.now - started
                times.append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6)
            }
            times.sort()
            print(
                String(
                    format: "%@: p50 %.1f µs, p99 %.1f µs per call (%d calls, %d bytes out)", name,
                    times[times.count / 2], times[min(times.count - 1, times.count * 99 / 100)], calls, length))
        }
    }

    /// Two MOCK methods on an engine: `GET /plain` (no templates at all) and `GET /templated` (a request template
    /// that picks the status and a response template over the request's parameters and context).
    func serveMocks() async throws {
        let control = try GatewayControl(location: ":memory:")
        let engine = control.makeEngine()
        try await control.attach(engine)
        await control.setAccountThrottle(ThrottleSettings(burstLimit: 1_000_000, rateLimit: 1_000_000))
        let api = try await control.createRestApi(name: "templates")
        for (path, templated) in [("/plain", false), ("/templated", true)] {
            let resource = try await control.ensureResource(api: api.id, path: path)
            _ = try await control.putMethod(api: api.id, resource: resource.id, httpMethod: "GET")
            // Without templates a MOCK answers its default integration response, 200 with no body.
            var integration = Integration(
                type: .mock, integrationResponses: ["200": IntegrationResponse(statusCode: "200")])
            if templated {
                integration.requestTemplates = [
                    "application/json":
                        "#if($input.params('q') == 'x'){\"statusCode\": 200}#{else}{\"statusCode\": 200}#end"
                ]
                integration.integrationResponses["200"]?.responseTemplates = [
                    "application/json":
                        "{\"ok\": true, \"id\": \"$context.requestId\", \"q\": \"$util.escapeJavaScript($input.params('q'))\", \"path\": \"$context.resourcePath\"}"
                ]
            }
            _ = try await control.putIntegration(
                api: api.id, resource: resource.id, httpMethod: "GET", integration: integration)
            for response in integration.integrationResponses.values {
                _ = try await control.putIntegrationResponse(
                    api: api.id, resource: resource.id, httpMethod: "GET", response: response)
            }
        }
        _ = try await control.createDeployment(api: api.id, stageName: "bench")
        let port = try await engine.start(port: 0)
        let base = "http://127.0.0.1:\(port)/restapis/\(api.id)/bench/_user_request_"
        // Written straight to the descriptor: a pipe's buffer would hold the lines back.
        FileHandle.standardOutput.write(Data("plain \(base)/plain?q=x\ntemplated \(base)/templated?q=x\n".utf8))
        // Until stdin closes (the benchmark script ends it).
        _ = await Task.detached { while readLine() != nil {} }.value
        try await engine.stop()
    }
}
