import Foundation
import GatewayControl
import GatewayImport
import GatewayModel

/// How the verbs print: aligned tables for people, JSON for scripts.
enum Render {
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }

    static func date(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let text = String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
        return text == "[\n\n]" ? "[]" : text
    }

    /// A JSON text indented for reading; other text as it is.
    static func prettyJSON(_ text: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]),
            let data = try? JSONSerialization.data(
                withJSONObject: object,
                options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        else { return text }
        return String(decoding: data, as: UTF8.self)
    }

    static func integrationSummary(_ method: Method) -> String {
        guard let integration = method.methodIntegration else { return "\(method.httpMethod): none" }
        var text = "\(method.httpMethod): \(integration.type.rawValue)"
        if integration.connectionType == .vpcLink { text += " via VPC link \(integration.connectionId ?? "?")" }
        if let uri = integration.uri { text += " \(integration.httpMethod ?? "") \(uri)" }
        return text
    }

    struct ApiSummary: Encodable {
        var id: String
        var name: String
        var endpointType: String
        var resources: Int
        var methods: Int
        var createdDate: Date
    }

    static func apiSummary(_ api: RestApi, resources: [Resource]) -> ApiSummary {
        ApiSummary(
            id: api.id, name: api.name, endpointType: api.endpointType.rawValue, resources: resources.count,
            methods: resources.reduce(0) { $0 + $1.resourceMethods.count }, createdDate: api.createdDate)
    }

    struct ImportReport: Encodable {
        var id: String
        var name: String
        var version: String
        var resources: Int
        var methods: Int
        var warnings: [String]
    }

    static func json(_ outcome: ImportOutcome) -> String {
        json(
            ImportReport(
                id: outcome.api.id, name: outcome.api.name, version: outcome.version.rawValue,
                resources: outcome.resourceCount, methods: outcome.methodCount,
                warnings: outcome.warnings.map(\.description)))
    }

    static func text(_ outcome: ImportOutcome) -> String {
        var lines = [
            "Imported \(outcome.api.name) (\(outcome.api.id)) from \(outcome.version.rawValue): "
                + "\(count(outcome.resourceCount, "resource")), \(count(outcome.methodCount, "method")), "
                + "endpoint \(outcome.api.endpointType.rawValue)"
        ]
        if !outcome.warnings.isEmpty {
            lines.append("\(count(outcome.warnings.count, "warning")):")
            lines += outcome.warnings.map { "  - \($0.description)" }
        }
        return lines.joined(separator: "\n")
    }

    /// `1 method`, `3 methods`.
    static func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }
}
