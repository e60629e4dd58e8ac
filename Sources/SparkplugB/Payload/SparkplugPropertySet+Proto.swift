import Foundation

extension SparkplugPropertySet {
    /// The set as the wire carries it. A property of a byte type (Bytes, File, arrays) has no field in a
    /// PropertyValue and is written as null of its type.
    var proto: ProtoPropertySet {
        var set = ProtoPropertySet()
        set.keys = entries.map(\.key)
        set.values = entries.map { Self.proto($0.value) }
        return set
    }

    private static func proto(_ value: Value) -> ProtoPropertyValue {
        var property = ProtoPropertyValue()
        switch value {
        case .value(let value):
            property.type = value.dataType.rawValue
            if !property.set(value.wire) { property.isNull = true }
        case .null(let type):
            property.type = type.rawValue
            property.isNull = true
        case .set(let set):
            property.type = SparkplugDataType.propertySet.rawValue
            property.propertysetValue = set.proto
        case .list(let sets):
            property.type = SparkplugDataType.propertySetList.rawValue
            var list = Org_Eclipse_Tahu_Protobuf_Payload.PropertySetList()
            list.propertyset = sets.map(\.proto)
            property.propertysetsValue = list
        }
        return property
    }

    /// Reads a property set. A value without a type takes the one its field implies (uint32 as UInt32, …), so sets
    /// from other writers that leave types out still read.
    /// - Throws: ``SparkplugError`` when keys and values differ in number, a type is unknown or does not match its value.
    init(proto set: ProtoPropertySet, _ context: @autoclosure () -> String) throws(SparkplugError) {
        guard set.keys.count == set.values.count else {
            throw SparkplugError(.invalidValue, "\(context()): properties have \(set.keys.count) keys and \(set.values.count) values")
        }
        var entries: [(key: String, value: Value)] = []
        entries.reserveCapacity(set.keys.count)
        for (key, property) in zip(set.keys, set.values) {
            entries.append((key, try Self.value(property, "\(context()), property '\(key)'")))
        }
        self.init(entries)
    }

    private static func value(_ property: ProtoPropertyValue, _ context: String) throws(SparkplugError) -> Value {
        let wire: WireScalar?
        switch property.value {
        case .intValue(let raw)?: wire = .int(raw)
        case .longValue(let raw)?: wire = .long(raw)
        case .floatValue(let raw)?: wire = .float(raw)
        case .doubleValue(let raw)?: wire = .double(raw)
        case .booleanValue(let raw)?: wire = .bool(raw)
        case .stringValue(let raw)?: wire = .string(raw)
        case .propertysetValue(let set)?:
            if property.hasType, property.type != SparkplugDataType.propertySet.rawValue {
                throw SparkplugError(.wrongType, "\(context): a \(property.type) value cannot be a property set")
            }
            return .set(try SparkplugPropertySet(proto: set, context))
        case .propertysetsValue(let list)?:
            if property.hasType, property.type != SparkplugDataType.propertySetList.rawValue {
                throw SparkplugError(.wrongType, "\(context): a \(property.type) value cannot be a property set list")
            }
            var sets: [SparkplugPropertySet] = []
            for (index, set) in list.propertyset.enumerated() {
                sets.append(try SparkplugPropertySet(proto: set, "\(context)[\(index)]"))
            }
            return .list(sets)
        case .extensionValue?: wire = .structured("extension_value")
        case nil: wire = nil
        }
        let type: SparkplugDataType
        if property.hasType {
            type = try SparkplugDataType.wire(property.type, context)
        } else if let wire, let implied = wire.impliedType {
            type = implied
        } else if property.isNull {
            type = .unknown
        } else {
            throw SparkplugError(.missingField, "\(context): the value has no type")
        }
        guard !property.isNull, let wire else { return .null(type) }
        return .value(try SparkplugValue(type: type, wire: wire, context))
    }
}

extension WireScalar {
    /// The type a value without one is read as: the widest plain type of its field.
    var impliedType: SparkplugDataType? {
        switch self {
        case .int: .uint32
        case .long: .uint64
        case .float: .float
        case .double: .double
        case .bool: .boolean
        case .string: .string
        case .bytes: .bytes
        case .structured: nil
        }
    }
}
