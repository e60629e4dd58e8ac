import Foundation

/// Reading values out of `JSONSerialization` results, the same on Linux and macOS.
public enum JSONValue {
    /// The number `value` holds, or `nil` for anything else — including `true`/`false`, which
    /// Foundation also hands out as `NSNumber` (and which `is Bool` cannot tell from 1 and 0 on Linux).
    public static func number(_ value: Any?) -> Double? {
        guard let number = value as? NSNumber, !isBoolean(number) else { return nil }
        return number.doubleValue
    }

    /// Whether `value` is JSON `true` or `false`.
    public static func isBoolean(_ value: Any?) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c"
    }
}
