import Foundation

/// Reads telemetry straight from its bytes, without a tree of ``JSON`` values: telemetry is most of what the twin
/// service reads. It accepts and refuses exactly what reading the tree would, with the same codes and reasons, in
/// the same order (syntax first, then the fields as `JSONCodec.decodeTelemetry(_:maximumSize:)` (TwinHubProtocol) documents);
/// a test holds the two to that on fuzzed input.
public struct TelemetryDecoder {
    /// One member of `values`, as read; checked once the whole payload is known to be JSON.
    private struct Reading {
        var name: String
        var isObject = true
        var value: JSON?
        var unit: JSON?
    }

    /// More keys than this in one object are checked for duplicates with a set instead of a scan.
    private static let scanLimit = 16

    private var ts: JSON?, seq: JSON?, machine: JSON?, kind: JSON?
    /// `values` when it is an object; `valuesOther` when it is something else.
    private var readings: [Reading]?
    private var valuesOther: JSON?
    private var otherKeys: Set<String> = []

    /// Reads a telemetry payload, readings sorted by name.
    public static func decode(_ bytes: [UInt8], maximumSize: Int) throws(PayloadError) -> MachineTelemetry {
        try JSONFields.checkSize(bytes, maximumSize: maximumSize, what: "telemetry")
        var reader = JSONReader(bytes)
        reader.skipWhitespace()
        guard reader.peek(UInt8(ascii: "{")) else {
            // Not an object: the general reader tells whether it is JSON at all.
            _ = try JSONReader.read(bytes)
            throw PayloadError(.wrongType, "telemetry must be a JSON object")
        }
        var decoder = TelemetryDecoder()
        try reader.members { reader, key, keyStart throws(PayloadError) in try decoder.member(key, at: keyStart, &reader) }
        reader.skipWhitespace()
        guard reader.atEnd else { throw reader.malformed("unexpected text after the JSON value") }
        return try decoder.telemetry()
    }

    private mutating func member(_ key: String, at keyStart: Int, _ reader: inout JSONReader) throws(PayloadError) {
        func once(_ slot: inout JSON?, _ value: JSON) throws(PayloadError) {
            guard slot == nil else { throw JSONReader.duplicate(key, at: keyStart) }
            slot = value
        }
        switch key {
        case "ts": try once(&ts, try reader.value())
        case "seq": try once(&seq, try reader.value())
        case "machine": try once(&machine, try reader.value())
        case "kind": try once(&kind, try reader.value())
        case "values":
            if reader.peek(UInt8(ascii: "{")) {
                let read = try Self.readings(&reader)
                guard readings == nil, valuesOther == nil else { throw JSONReader.duplicate(key, at: keyStart) }
                readings = read
            } else {
                let other = try reader.value()
                guard readings == nil, valuesOther == nil else { throw JSONReader.duplicate(key, at: keyStart) }
                valuesOther = other
            }
        default:
            _ = try reader.value()
            guard otherKeys.insert(key).inserted else { throw JSONReader.duplicate(key, at: keyStart) }
        }
    }

    /// The members of `values`, each an object with `value` and `unit` (other members are read and ignored).
    private static func readings(_ reader: inout JSONReader) throws(PayloadError) -> [Reading] {
        var readings: [Reading] = []
        readings.reserveCapacity(8)
        var names: Set<String> = []
        try reader.members { reader, name, nameStart throws(PayloadError) in
            var reading = Reading(name: name)
            if reader.peek(UInt8(ascii: "{")) {
                var others: Set<String> = []
                try reader.members { reader, field, fieldStart throws(PayloadError) in
                    let value = try reader.value()
                    switch field {
                    case "value" where reading.value == nil: reading.value = value
                    case "unit" where reading.unit == nil: reading.unit = value
                    case "value", "unit": throw JSONReader.duplicate(field, at: fieldStart)
                    default: guard others.insert(field).inserted else { throw JSONReader.duplicate(field, at: fieldStart) }
                    }
                }
            } else {
                _ = try reader.value()
                reading.isObject = false
            }
            if readings.count < scanLimit {
                guard !readings.contains(where: { $0.name == name }) else { throw JSONReader.duplicate(name, at: nameStart) }
            } else {
                if names.isEmpty { names = Set(readings.map(\.name)) }
                guard names.insert(name).inserted else { throw JSONReader.duplicate(name, at: nameStart) }
            }
            readings.append(reading)
        }
        return readings
    }

    /// The fields, checked in the documented order.
    private func telemetry() throws(PayloadError) -> MachineTelemetry {
        let time = try JSONFields.timestamp(ts, "ts")
        let sequence = try JSONFields.sequence(seq, "seq", minimum: 1)
        guard var readings else {
            throw valuesOther == nil ? PayloadError(.missingField, "missing \"values\"") : PayloadError(.wrongType, "\"values\" must be an object")
        }
        readings.sort { $0.name < $1.name }
        var values: [TelemetrySample.Reading] = []
        values.reserveCapacity(readings.count)
        for reading in readings {
            let name = reading.name
            guard reading.isObject else { throw PayloadError(.wrongType, "values.\(name) must be an object with value and unit") }
            guard case .number(let value)? = reading.value else {
                throw reading.value == nil ? PayloadError(.missingField, "missing values.\(name).value") : PayloadError(.wrongType, "values.\(name).value must be a number")
            }
            guard case .string(let unit)? = reading.unit else {
                throw reading.unit == nil ? PayloadError(.missingField, "missing values.\(name).unit") : PayloadError(.wrongType, "values.\(name).unit must be a string")
            }
            values.append(.init(property: name, value: value, unit: unit))
        }
        return MachineTelemetry(machine: try JSONFields.string(machine, "machine"), kind: try JSONFields.string(kind, "kind"),
                                      sample: TelemetrySample(time: time, sequence: sequence, values: values))
    }
}
