/// A metric's properties (a Sparkplug PropertySet): keys in order, each with a typed value.
///
/// TwinHub writes three on every property metric of a DBIRTH: ``engineeringUnitKey`` (`engUnit`, String, the unit
/// symbol such as `rpm` or `°C`), ``engineeringLowKey`` and ``engineeringHighKey`` (`engLow`/`engHigh`, Double, the
/// property's physical limits). Any other keys (Sparkplug's `Quality`, a vendor's own) are kept as they came.
public struct SparkplugPropertySet: Sendable, Hashable {
    /// One property's value: a plain value, null of a type, or a nested set or list of sets.
    public indirect enum Value: Sendable, Hashable {
        case value(SparkplugValue)
        case null(SparkplugDataType)
        case set(SparkplugPropertySet)
        case list([SparkplugPropertySet])
    }

    /// The key of the engineering unit property (String).
    public static let engineeringUnitKey = "engUnit"
    /// The key of the low end of the engineering range (Double).
    public static let engineeringLowKey = "engLow"
    /// The key of the high end of the engineering range (Double).
    public static let engineeringHighKey = "engHigh"
    /// Sparkplug's quality property (Int32: 0 bad, 192 good, 500 stale).
    public static let qualityKey = "Quality"

    /// Keys and values, in order.
    public var entries: [(key: String, value: Value)]

    public init(_ entries: [(key: String, value: Value)] = []) {
        self.entries = entries
    }

    /// The value of `key`, if present.
    public subscript(key: String) -> Value? {
        get { entries.first { $0.key == key }?.value }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// The engineering unit (`engUnit`), if it is text.
    public var engineeringUnit: String? {
        get { if case .value(let value)? = self[Self.engineeringUnitKey] { value.text } else { nil } }
        set { self[Self.engineeringUnitKey] = newValue.map { .value(.string($0)) } }
    }

    /// The engineering range (`engLow`...`engHigh`), if both are numbers and low ≤ high.
    public var engineeringRange: ClosedRange<Double>? {
        get {
            guard case .value(let low)? = self[Self.engineeringLowKey], case .value(let high)? = self[Self.engineeringHighKey],
                  let lowNumber = low.number, let highNumber = high.number, lowNumber <= highNumber else { return nil }
            return lowNumber...highNumber
        }
        set {
            self[Self.engineeringLowKey] = newValue.map { .value(.double($0.lowerBound)) }
            self[Self.engineeringHighKey] = newValue.map { .value(.double($0.upperBound)) }
        }
    }

    public static func == (lhs: SparkplugPropertySet, rhs: SparkplugPropertySet) -> Bool {
        lhs.entries.elementsEqual(rhs.entries) { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for entry in entries {
            hasher.combine(entry.key)
            hasher.combine(entry.value)
        }
    }
}
