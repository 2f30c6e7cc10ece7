import Foundation

/// Velocity 1.7's arithmetic and comparisons (its `MathUtils`): integers stay integral and widen on overflow, a
/// double makes the result a double, division by zero is null, `+` with a string concatenates, `==` between
/// values of different kinds compares their text.
enum Arithmetic {
    enum Number {
        case integer(Int64)
        case big(Decimal)
        case double(Double)

        var asDouble: Double {
            switch self {
            case .integer(let value): Double(value)
            case .big(let value): NSDecimalNumber(decimal: value).doubleValue
            case .double(let value): value
            }
        }

        var asDecimal: Decimal {
            switch self {
            case .integer(let value): Decimal(value)
            case .big(let value): value
            case .double(let value): Decimal(value)
            }
        }
    }

    static func number(_ value: Value) -> Number? {
        switch value {
        case .integer(let number): .integer(number)
        case .bigInteger(let number): .big(number)
        case .double(let number): .double(number)
        default: nil
        }
    }

    static func integer(_ value: Value) -> Int64? {
        switch value {
        case .integer(let number): number
        case .double(let number) where number == number.rounded() && abs(number) < 9e18: Int64(number)
        default: nil
        }
    }

    static func apply(_ operation: Expression.Operator, _ left: Value, _ right: Value) -> Value {
        if left.isNull || right.isNull { return .null }
        if operation == .add {
            if case .string = left { return .string(left.rendered + right.rendered) }
            if case .string = right { return .string(left.rendered + right.rendered) }
        }
        guard let a = number(left), let b = number(right) else { return .null }
        if case .double = a { return double(operation, a.asDouble, b.asDouble) }
        if case .double = b { return double(operation, a.asDouble, b.asDouble) }
        if case .integer(let x) = a, case .integer(let y) = b {
            switch operation {
            case .add:
                let (result, overflow) = x.addingReportingOverflow(y)
                if !overflow { return .integer(result) }
            case .subtract:
                let (result, overflow) = x.subtractingReportingOverflow(y)
                if !overflow { return .integer(result) }
            case .multiply:
                let (result, overflow) = x.multipliedReportingOverflow(by: y)
                if !overflow { return .integer(result) }
            case .divide:
                if y == 0 { return .null }
                let (result, overflow) = x.dividedReportingOverflow(by: y)
                if !overflow { return .integer(result) }
            case .remainder:
                if y == 0 { return .null }
                let (result, overflow) = x.remainderReportingOverflow(dividingBy: y)
                return .integer(overflow ? 0 : result)
            default: return .null
            }
        }
        return big(operation, a.asDecimal, b.asDecimal)
    }

    static func double(_ operation: Expression.Operator, _ x: Double, _ y: Double) -> Value {
        switch operation {
        case .add: return .double(x + y)
        case .subtract: return .double(x - y)
        case .multiply: return .double(x * y)
        case .divide: return y == 0 ? .null : .double(x / y)
        case .remainder: return y == 0 ? .null : .double(x.truncatingRemainder(dividingBy: y))
        default: return .null
        }
    }

    static func big(_ operation: Expression.Operator, _ x: Decimal, _ y: Decimal) -> Value {
        var result: Decimal
        switch operation {
        case .add: result = x + y
        case .subtract: result = x - y
        case .multiply: result = x * y
        case .divide:
            if y == 0 { return .null }
            var quotient = x / y
            var rounded = Decimal()
            NSDecimalRound(&rounded, &quotient, 0, quotient < 0 ? .up : .down)
            result = rounded
        case .remainder:
            if y == 0 { return .null }
            var quotient = x / y
            var rounded = Decimal()
            NSDecimalRound(&rounded, &quotient, 0, quotient < 0 ? .up : .down)
            result = x - rounded * y
        default: return .null
        }
        if let small = Int64(exactly: NSDecimalNumber(decimal: result).int64Value), Decimal(small) == result {
            return .integer(small)
        }
        return .bigInteger(result)
    }

    static func compare(_ operation: Expression.Operator, _ left: Value, _ right: Value) -> Bool {
        switch operation {
        case .equal: return equal(left, right)
        case .notEqual: return !equal(left, right)
        default: break
        }
        guard let a = number(left), let b = number(right) else { return false }
        let order: Int
        if case .integer(let x) = a, case .integer(let y) = b {
            order = x < y ? -1 : (x > y ? 1 : 0)
        } else if case .double = a {
            order = a.asDouble < b.asDouble ? -1 : (a.asDouble > b.asDouble ? 1 : 0)
        } else if case .double = b {
            order = a.asDouble < b.asDouble ? -1 : (a.asDouble > b.asDouble ? 1 : 0)
        } else {
            order = a.asDecimal < b.asDecimal ? -1 : (a.asDecimal > b.asDecimal ? 1 : 0)
        }
        switch operation {
        case .less: return order < 0
        case .greater: return order > 0
        case .lessOrEqual: return order <= 0
        case .greaterOrEqual: return order >= 0
        default: return false
        }
    }

    /// Velocity 1.7's `==`: null equals only null; numbers by value; the same kind by Java's `equals`; different
    /// kinds by their text.
    static func equal(_ left: Value, _ right: Value) -> Bool {
        if left.isNull || right.isNull { return left.isNull && right.isNull }
        if let a = number(left), let b = number(right) {
            if case .integer(let x) = a, case .integer(let y) = b { return x == y }
            if case .double = a { return a.asDouble == b.asDouble }
            if case .double = b { return a.asDouble == b.asDouble }
            return a.asDecimal == b.asDecimal
        }
        switch (left, right) {
        case (.string(let a), .string(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.list(let a), .list(let b)):
            return a.items.count == b.items.count && zip(a.items, b.items).allSatisfy { javaEquals($0, $1) }
        case (.map(let a), .map(let b)):
            return a.count == b.count
                && a.pairs.allSatisfy { key, value in b[key].map { javaEquals(value, $0) } ?? false }
        case (.object(let a), .object(let b)): return a === b
        default: return left.rendered == right.rendered
        }
    }

    /// Java's `equals` (no text fallback): used inside lists and maps.
    static func javaEquals(_ left: Value, _ right: Value) -> Bool {
        switch (left, right) {
        case (.null, .null): return true
        case (.integer(let a), .integer(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.bigInteger(let a), .bigInteger(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.list, .list), (.map, .map), (.object, .object): return equal(left, right)
        default: return false
        }
    }
}
