import Foundation
import GatewayImport

/// The OpenAPI documents under `Tests/Fixtures/openapi`, written by others.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/openapi")

    static func data(_ name: String) throws -> Data { try Data(contentsOf: directory.appendingPathComponent(name)) }

    static func read(_ name: String, options: ImportOptions = .init()) throws -> ImportedDefinition {
        try OpenAPIImporter.read(try data(name), apiId: "abcdef1234", options: options)
    }

    /// The error an import of `text` gives; nil if it succeeds.
    static func failure(_ text: String, options: ImportOptions = .init()) -> ImportError? {
        do {
            _ = try OpenAPIImporter.read(Data(text.utf8), apiId: "abcdef1234", options: options)
            return nil
        } catch {
            return error
        }
    }
}
