import Foundation

extension SparkplugMetric {
    /// The metric as the wire carries it.
    var proto: ProtoMetric {
        var metric = ProtoMetric()
        if let name { metric.name = name }
        if let alias { metric.alias = alias }
        if let timestamp { metric.timestamp = timestamp }
        if let dataType { metric.datatype = dataType.rawValue }
        if isHistorical { metric.isHistorical = true }
        if isTransient { metric.isTransient = true }
        if !properties.isEmpty { metric.properties = properties.proto }
        if let value {
            let wire = value.wire
            if !metric.set(wire) {
                // DataSet and Template values are only read, never written: an opaque one goes out as null.
                if case .bytes(let raw) = wire { metric.bytesValue = Data(raw) } else { metric.isNull = true }
            }
        } else {
            metric.isNull = true
        }
        return metric
    }

    /// Reads a metric. Its data type is its own `datatype` or, when left out (data messages), `dataType(name, alias)`.
    /// A metric with neither a value nor `is_null` is read as null.
    /// - Throws: ``SparkplugError``: a value whose type is unknown (``SparkplugError/Code/missingField``), a value
    ///   in the wrong field or an undefined datatype (``SparkplugError/Code/wrongType``), bad properties.
    init(proto metric: ProtoMetric, index: Int,
         dataType lookup: (_ name: String?, _ alias: UInt64?) -> SparkplugDataType?) throws(SparkplugError) {
        let name = metric.hasName ? metric.name : nil
        let alias = metric.hasAlias ? metric.alias : nil
        let label = Self.label(name: name, alias: alias, index: index)
        let dataType = metric.hasDatatype ? try SparkplugDataType.wire(metric.datatype, label) : lookup(name, alias)
        let wire: WireScalar?
        switch metric.value {
        case .intValue(let raw)?: wire = .int(raw)
        case .longValue(let raw)?: wire = .long(raw)
        case .floatValue(let raw)?: wire = .float(raw)
        case .doubleValue(let raw)?: wire = .double(raw)
        case .booleanValue(let raw)?: wire = .bool(raw)
        case .stringValue(let raw)?: wire = .string(raw)
        case .bytesValue(let raw)?: wire = .bytes(Array(raw))
        case .datasetValue?: wire = .structured("dataset_value")
        case .templateValue?: wire = .structured("template_value")
        case .extensionValue?: wire = .structured("extension_value")
        case nil: wire = nil
        }
        var value: SparkplugValue?
        if !metric.isNull, let wire {
            guard let dataType else {
                throw SparkplugError(.missingField, "\(label) has a value but no datatype, and none is known from a birth")
            }
            value = try SparkplugValue(type: dataType, wire: wire, label)
        }
        let properties = metric.hasProperties ? try SparkplugPropertySet(proto: metric.properties, label) : SparkplugPropertySet()
        self.init(name: name, alias: alias, dataType: dataType, value: value, timestamp: metric.hasTimestamp ? metric.timestamp : nil,
                  properties: properties, isHistorical: metric.isHistorical, isTransient: metric.isTransient)
    }
}
