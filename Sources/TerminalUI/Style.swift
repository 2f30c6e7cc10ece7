import Foundation

/// A colour as a theme names it.
public enum Color: Equatable, Hashable, Sendable {
    /// The terminal's own foreground or background.
    case `default`
    /// One of the 16 ANSI colours.
    case ansi(Int)
    /// An RGB colour, shown as the nearest colour the terminal has.
    case rgb(UInt8, UInt8, UInt8)

    /// Parses `default`, `ansi0`–`ansi15` or `#rrggbb`.
    public init?(parsing text: String) {
        let value = text.trimmingCharacters(in: .whitespaces).lowercased()
        if value == "default" {
            self = .default
        } else if value.hasPrefix("ansi"), let number = Int(value.dropFirst(4)), (0...15).contains(number) {
            self = .ansi(number)
        } else if value.hasPrefix("#"), value.count == 7, let number = UInt32(value.dropFirst(), radix: 16) {
            self = .rgb(UInt8(number >> 16), UInt8((number >> 8) & 0xFF), UInt8(number & 0xFF))
        } else {
            return nil
        }
    }
}

/// Text attributes.
public struct Attributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bold = Attributes(rawValue: 1)
    public static let reverse = Attributes(rawValue: 2)
    public static let underline = Attributes(rawValue: 4)
    public static let dim = Attributes(rawValue: 8)
}

/// How a cell looks.
public struct Style: Equatable, Hashable, Sendable {
    public var foreground: Color
    public var background: Color
    public var attributes: Attributes

    public init(foreground: Color = .default, background: Color = .default, attributes: Attributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    public static let plain = Style()

    /// The style with extra attributes.
    public func with(_ extra: Attributes) -> Style {
        var style = self
        style.attributes.formUnion(extra)
        return style
    }
}

/// What colours a terminal can show.
public enum ColorTier: String, Sendable, CaseIterable {
    case truecolor, palette256, ansi16, mono
}
