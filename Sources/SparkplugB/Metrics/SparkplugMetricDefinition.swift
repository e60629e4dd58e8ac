/// A metric an edge node or device publishes: its name, data type, properties and current value. The edge node
/// session gives it an alias and sends it whole in births, then by alias in data messages when its value changes.
public struct SparkplugMetricDefinition: Sendable, Hashable {
    public var name: String
    public var dataType: SparkplugDataType
    /// Unit and engineering range (see ``SparkplugPropertySet``), sent in births only.
    public var properties: SparkplugPropertySet
    /// The current value, `nil` for null.
    public var value: SparkplugValue?

    public init(name: String, dataType: SparkplugDataType, properties: SparkplugPropertySet = SparkplugPropertySet(),
                value: SparkplugValue? = nil) {
        self.name = name
        self.dataType = dataType
        self.properties = properties
        self.value = value
    }
}

/// A new value of a named metric (`nil` for null), for report by exception.
public struct SparkplugMetricUpdate: Sendable, Hashable {
    public var name: String
    public var value: SparkplugValue?

    public init(name: String, value: SparkplugValue?) {
        self.name = name
        self.value = value
    }
}
