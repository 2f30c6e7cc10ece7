import Foundation
import Testing

@testable import VTL

/// Every case of `Corpus/` rendered by Gatehouse and by Apache Velocity 1.7 itself (`Tests/Scripts/vtl-oracle`),
/// byte for byte the same.
@Suite struct DifferentialTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")

    /// A case: the template and the request it is evaluated with, in the oracle's format.
    struct Case {
        var name: String
        var sections: [String: String]

        init(name: String, text: String) {
            self.name = name
            var sections: [String: String] = [:]
            var current: String?
            var lines: [Substring] = []
            // As the oracle reads them: each line with its newline, the section's last newline dropped.
            func close() {
                guard let current else { return }
                let text = lines.map { $0 + "\n" }.joined()
                sections[current] = text.hasSuffix("\n") ? String(text.dropLast()) : text
            }
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("--- ") {
                    close()
                    current = line.dropFirst(4).trimmingCharacters(in: .whitespaces)
                    lines = []
                } else if current != nil {
                    lines.append(line)
                }
            }
            close()
            self.sections = sections
        }

        func pairs(_ section: String) -> [(String, String)] {
            (sections[section] ?? "").split(separator: "\n").compactMap { line in
                guard let equals = line.firstIndex(of: "="), equals != line.startIndex else { return nil }
                return (String(line[..<equals]), String(line[line.index(after: equals)...]))
            }
        }

        var variables: MappingVariables {
            MappingVariables(
                body: sections["body"] ?? "", path: pairs("path"), querystring: pairs("querystring"),
                header: pairs("header"), context: pairs("context").map { ($0.0, Value.string($0.1)) },
                stageVariables: pairs("stage"))
        }

        /// What Gatehouse renders, or `ERROR` (the oracle's word for a template that fails).
        var rendered: String {
            do {
                let template = try Template(sections["template"] ?? "")
                return try template.render(variables.values)
            } catch {
                return "ERROR\n"
            }
        }
    }

    static func cases() throws -> [Case] {
        try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { $0.hasSuffix(".case") }.sorted()
            .map { name in
                Case(
                    name: String(name.dropLast(".case".count)),
                    text: try String(contentsOf: corpus.appendingPathComponent(name), encoding: .utf8))
            }
    }

    /// Runs the reference over the corpus; the outputs by case name.
    static func reference() throws -> [String: String] {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("vtl-oracle-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = root.appendingPathComponent("Tests/Scripts/vtl-oracle")
        process.arguments = [corpus.path, output.path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw OracleFailure(status: process.terminationStatus) }
        var outputs: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: output.path) where name.hasSuffix(".out") {
            outputs[String(name.dropLast(".out".count))] = try String(
                contentsOf: output.appendingPathComponent(name), encoding: .utf8)
        }
        return outputs
    }

    struct OracleFailure: Error { var status: Int32 }

    @Test func everyCaseRendersAsApacheVelocityRendersIt() throws {
        let cases = try Self.cases()
        #expect(cases.count >= 100, "the corpus has \(cases.count) cases")
        let reference = try Self.reference()
        var differing: [String] = []
        for testCase in cases {
            let expected = try #require(reference[testCase.name], "the reference rendered no \(testCase.name)")
            let actual = testCase.rendered
            if actual != expected {
                differing.append(testCase.name)
                Issue.record(
                    "\(testCase.name): Velocity gives \(expected.debugDescription), Gatehouse \(actual.debugDescription)"
                )
            }
        }
        #expect(differing.isEmpty, "\(differing.count) of \(cases.count) cases differ: \(differing)")
    }
}
