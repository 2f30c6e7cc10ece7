import Foundation
import GatewayModel
import TerminalUI

/// A field of a form that is wrong, and what is wrong with it: the dialog shows the message and puts the focus on it.
struct FieldProblem: Error {
    var field: Int
    var message: String
}

/// The fields of a dialog, as text the user edits; `Field<Value>` handles read them back parsed and checked.
struct Form {
    struct Entry {
        var label: String
        var value: String
        /// When set, left and right (and space) cycle through these values.
        var choices: [String]?
        /// Tab completes a file path.
        var completesPath = false
    }

    var entries: [Entry] = []

    /// Adds a field; its handle reads it back through `parse`, which returns the value or what is wrong.
    mutating func add<Value>(
        _ label: String, _ value: String, choices: [String]? = nil, completesPath: Bool = false,
        parse: @escaping (String) -> Result<Value, FieldMessage>
    ) -> Field<Value> {
        entries.append(Entry(label: label, value: value, choices: choices, completesPath: completesPath))
        return Field(index: entries.count - 1, parse: parse)
    }

    /// The value of a field, or the `FieldProblem` that says what is wrong with it.
    func callAsFunction<Value>(_ field: Field<Value>) throws(FieldProblem) -> Value {
        let text = entries[field.index].value
        switch field.parse(text) {
        case .success(let value): return value
        case .failure(let problem):
            throw FieldProblem(field: field.index, message: "\(entries[field.index].label): \(problem.text)")
        }
    }

    /// Reads a field's text as it is.
    func text<Value>(_ field: Field<Value>) -> String { entries[field.index].value }
}

/// What is wrong with a field's text.
struct FieldMessage: Error {
    var text: String
    init(_ text: String) { self.text = text }
}

/// A typed handle on a form's field.
struct Field<Value> {
    let index: Int
    let parse: (String) -> Result<Value, FieldMessage>
}

extension Form {
    /// Free text, trimmed; `required` refuses an empty one.
    mutating func text(_ label: String, _ value: String = "", required: Bool = false, completesPath: Bool = false)
        -> Field<String>
    {
        add(label, value, completesPath: completesPath) { text in
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            return required && trimmed.isEmpty ? .failure(FieldMessage("must not be empty")) : .success(trimmed)
        }
    }

    /// `NAME<separator>VALUE` pairs separated by commas (`a=1,b=2`), in the order written.
    mutating func pairs(_ label: String, _ value: String, separator: Character) -> Field<[(String, String)]> {
        add(label, value) { text in
            var pairs: [(String, String)] = []
            for pair in text.split(separator: ",") {
                guard let found = NameValue.split(pair, on: separator) else {
                    return .failure(
                        FieldMessage("write NAME\(separator)VALUE pairs separated by commas ('\(pair)' is not one)"))
                }
                pairs.append(found)
            }
            return .success(pairs)
        }
    }

    /// One of `choices`.
    mutating func choice(_ label: String, _ value: String, _ choices: [String]) -> Field<String> {
        add(label, value, choices: choices) { text in
            choices.contains(text) ? .success(text) : .failure(FieldMessage("choose one with ← →"))
        }
    }

    /// Yes or no.
    mutating func toggle(_ label: String, _ value: Bool) -> Field<Bool> {
        add(label, value ? "yes" : "no", choices: ["no", "yes"]) { .success($0 == "yes") }
    }

    /// A number in `range`.
    mutating func number(_ label: String, _ value: Double?, in range: ClosedRange<Double>) -> Field<Double> {
        add(label, value.map(Form.show) ?? "") { text in
            guard let number = Double(text.trimmingCharacters(in: .whitespaces)), number.isFinite else {
                return .failure(FieldMessage("'\(text)' is not a number"))
            }
            return range.contains(number)
                ? .success(number)
                : .failure(
                    FieldMessage("must be from \(Form.show(range.lowerBound)) to \(Form.show(range.upperBound))"))
        }
    }

    /// A whole number in `range`; with `optional`, empty means none.
    mutating func integer(_ label: String, _ value: Int?, in range: ClosedRange<Int>) -> Field<Int> {
        add(label, value.map(String.init) ?? "") { Form.integer($0, in: range) }
    }

    mutating func optionalInteger(_ label: String, _ value: Int?, in range: ClosedRange<Int>) -> Field<Int?> {
        add(label, value.map(String.init) ?? "") { text in
            if text.trimmingCharacters(in: .whitespaces).isEmpty { return .success(nil) }
            return Form.integer(text, in: range).map { $0 }
        }
    }

    static func integer(_ text: String, in range: ClosedRange<Int>) -> Result<Int, FieldMessage> {
        guard let number = Int(text.trimmingCharacters(in: .whitespaces)) else {
            return .failure(FieldMessage("'\(text)' is not a whole number"))
        }
        return range.contains(number)
            ? .success(number) : .failure(FieldMessage("must be from \(range.lowerBound) to \(range.upperBound)"))
    }

    /// `100`, `0.5`: a number without a needless `.0`.
    static func show(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
