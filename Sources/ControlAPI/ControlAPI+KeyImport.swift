import Foundation
import GatewayControl
import GatewayModel
import SwiftCSV

extension ControlAPI {
    /// `POST /apikeys?mode=import&format=csv`: one key per row under a header naming `key` and, optionally,
    /// `name`, `description`, `enabled` and `usageplanIds` (`:`-separated), in any order and case. Every row is
    /// checked before any key is made; a bad row is refused with its line.
    func importApiKeys(_ call: ControlCall) async throws -> Reply {
        guard (call.queryValue("format") ?? "csv").lowercased() == "csv" else {
            throw ControlError.badRequest("Invalid format '\(call.queryValue("format") ?? "")': the only format is csv")
        }
        guard let text = String(data: call.body, encoding: .utf8) else {
            throw ControlError.badRequest("The API key file is not UTF-8 text")
        }
        let csv: EnumeratedCSV
        do { csv = try EnumeratedCSV(string: text, delimiter: .comma, loadColumns: false) } catch {
            throw ControlError.badRequest("Invalid API key file: \(error)")
        }
        let header = csv.header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let keyColumn = header.firstIndex(of: "key") else {
            throw ControlError.badRequest("Invalid API key file: the header row must have a 'key' column")
        }
        func column(_ name: String, _ row: [String]) -> String? {
            header.firstIndex(of: name).flatMap { $0 < row.count ? row[$0].trimmingCharacters(in: .whitespaces) : nil }
        }
        var rows: [GatewayControl.ApiKeyImport] = []
        var warnings: [String] = []
        let plans = Set(try control.usagePlans().map(\.id))
        for (index, row) in csv.rows.enumerated() where !row.allSatisfy({ $0.isEmpty }) {
            let line = index + 2
            guard keyColumn < row.count, Identifiers.isValidApiKeyValue(row[keyColumn]),
                (20...128).contains(row[keyColumn].count)
            else {
                throw ControlError.badRequest(
                    "Invalid API key file, line \(line): the key must be 20 to 128 characters of letters and digits")
            }
            let enabledText = column("enabled", row)?.lowercased() ?? "false"
            guard ["true", "false", ""].contains(enabledText) else {
                throw ControlError.badRequest("Invalid API key file, line \(line): enabled must be true or false")
            }
            let planIds = (column("usageplanids", row) ?? "").split(separator: ":").map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            if let unknown = planIds.first(where: { !plans.contains($0) }) {
                throw ControlError.badRequest("Invalid API key file, line \(line): no usage plan \(unknown)")
            }
            rows.append(
                .init(
                    name: column("name", row) ?? "", value: row[keyColumn], description: column("description", row),
                    enabled: enabledText == "true", planIds: planIds))
        }
        let existing = Set(try control.apiKeys().map(\.value))
        for row in rows where existing.contains(row.value) {
            warnings.append("API key \(ApiKey.mask(row.value)) already exists; row skipped")
        }
        if call.queryValue("failonwarnings") == "true" && !warnings.isEmpty {
            throw ControlError.badRequest(warnings.joined(separator: "\n"))
        }
        let ids = try await control.importApiKeys(rows.filter { !existing.contains($0.value) }).map(\.id)
        return .json(201, ["ids": ids, "warnings": warnings])
    }
}
