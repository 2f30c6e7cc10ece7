import Foundation

/// How the NSNumbers of `JSONSerialization` are told apart: `true` and `false` arrive with the C type `c` (or
/// `B`), other numbers with an integer or floating-point type.
public enum JSONNumber {
    /// Whether `value` is a JSON `true` or `false`.
    public static func isBoolean(_ value: Any?) -> Bool {
        guard let number = value as? NSNumber else { return false }
        let type = String(cString: number.objCType)
        return type == "c" || type == "B"
    }
}
