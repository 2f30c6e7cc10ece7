import Foundation

/// `NAME=VALUE` and `NAME:VALUE` as users type them for stage variables and headers.
public enum NameValue {
    /// Splits at the first `separator`, trimming spaces; nil when there is none or the name is empty.
    public static func split(_ text: some StringProtocol, on separator: Character) -> (name: String, value: String)? {
        guard let index = text.firstIndex(of: separator) else { return nil }
        let name = text[..<index].trimmingCharacters(in: .whitespaces)
        let value = text[text.index(after: index)...].trimmingCharacters(in: .whitespaces)
        return name.isEmpty ? nil : (name, value)
    }
}
