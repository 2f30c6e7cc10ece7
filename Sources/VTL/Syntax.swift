/// The parsed form of a template: text, references and directives, as Velocity 1.7's parser builds them.
indirect enum Node: Sendable {
    case text(String)
    case reference(Reference)
    /// `\$a`, `\\$a`: backslashes before a reference.
    case escaped(backslashes: Int, Reference)
    case set(Reference, Expression)
    case conditional([(Expression, [Node])], otherwise: [Node]?)
    case foreach(variable: String, Expression, [Node])
    case stop
    case `break`
    case define(String, [Node])
    case macroCall(String, [Expression], source: String)
}

/// `$a.b(1)[0]`, `$!{a}`, with the text it was written as (what an undefined reference renders as).
struct Reference: Sendable {
    enum Part: Sendable {
        case property(String)
        case method(String, [Expression])
        case index(Expression)
    }

    var name: String
    var silent: Bool
    var parts: [Part]
    var source: String
}

indirect enum Expression: Sendable {
    case literal(Value)
    /// A double-quoted string: a small template of its own.
    case interpolated([Node])
    case reference(Reference)
    case list([Expression])
    case range(Expression, Expression)
    case map([(Expression, Expression)])
    case not(Expression)
    case negate(Expression)
    case binary(Operator, Expression, Expression)
    /// `( … )` around an expression.
    case group(Expression)

    enum Operator: Sendable {
        case or, and, equal, notEqual, less, greater, lessOrEqual, greaterOrEqual, add, subtract, multiply, divide,
            remainder
    }

    /// Whether the expression is a literal (Velocity evaluates a literal in `#if` as false).
    var isLiteral: Bool {
        switch self {
        case .literal, .interpolated, .list, .range, .map: true
        case .group(let inner): inner.isLiteral
        default: false
        }
    }
}

/// A macro: `#macro(name $a $b) … #end`.
struct Macro: Sendable {
    var parameters: [String]
    var body: [Node]
}

/// Where a template could not be read: Velocity's message with its line and column.
public struct TemplateSyntaxError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var line: Int
    public var column: Int
    public var description: String { "\(message) at line \(line), column \(column)" }
}
