/// One Sparkplug metric: a name (in births) or an alias (in data and, when aliases are used, commands), its data type
/// (in births), a value or null, when it was taken, and its properties.
public struct SparkplugMetric: Sendable, Hashable {
    /// The metric's name, `/` separating folders (`Node Control/Rebirth`); absent from data messages that use aliases.
    public var name: String?
    /// The alias the birth ties to the name; unique across an edge node and its devices.
    public var alias: UInt64?
    /// The data type (required in births, left out of data messages).
    public var dataType: SparkplugDataType?
    /// The value, or `nil` when the metric is null (`is_null`).
    public var value: SparkplugValue?
    /// When the value was taken, in ms since the epoch (UTC).
    public var timestamp: UInt64?
    /// Custom properties: unit and engineering range (see ``SparkplugPropertySet``).
    public var properties: SparkplugPropertySet
    /// A historical value that should not update the live one.
    public var isHistorical: Bool
    /// A value not to be stored by historians.
    public var isTransient: Bool

    public init(name: String? = nil, alias: UInt64? = nil, dataType: SparkplugDataType? = nil, value: SparkplugValue?,
                timestamp: UInt64? = nil, properties: SparkplugPropertySet = SparkplugPropertySet(),
                isHistorical: Bool = false, isTransient: Bool = false) {
        self.name = name
        self.alias = alias
        self.dataType = dataType ?? value?.dataType
        self.value = value
        self.timestamp = timestamp
        self.properties = properties
        self.isHistorical = isHistorical
        self.isTransient = isTransient
    }

    /// Whether the metric is null (`is_null`: no value).
    public var isNull: Bool { value == nil }

    /// How errors name a metric: by its name, its alias, or its position in the payload.
    static func label(name: String?, alias: UInt64?, index: Int) -> String {
        if let name { return "metric '\(name)'" }
        if let alias { return "metric with alias \(alias)" }
        return "metric #\(index)"
    }
}
