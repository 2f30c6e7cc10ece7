/// A key binding: the key, a short label for the footer, a description for help, and whether the footer shows it.
public struct Binding: Sendable, Equatable {
    public var key: Key
    public var label: String
    public var description: String
    public var visible: Bool
    /// Whether the action changes or deletes something and so asks first.
    public var dangerous: Bool

    public init(_ key: Key, _ label: String, _ description: String, visible: Bool = true, dangerous: Bool = false) {
        self.key = key
        self.label = label
        self.description = description
        self.visible = visible
        self.dangerous = dangerous
    }
}

/// Lays out footer hints `key label` separated by two spaces, as many as fit.
public enum Footer {
    public static func hints(_ bindings: [Binding], width: Int) -> [(key: String, label: String)] {
        var result: [(String, String)] = []
        var used = 0
        for binding in bindings where binding.visible {
            let needed = TextWidth.of(binding.key.description) + 1 + TextWidth.of(binding.label) + 2
            if used + needed > width { break }
            result.append((binding.key.description, binding.label))
            used += needed
        }
        return result
    }
}
