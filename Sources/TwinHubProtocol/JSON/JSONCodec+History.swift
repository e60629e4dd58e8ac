import Foundation
import TwinModel
import Twins

/// A twin's recent samples (`…/{machine}/history`, QoS 1, retained), for trends and sparklines.
extension JSONCodec {
    /// A twin's recent samples (retained on `…/{machine}/history`): per property, times and values, oldest first.
    public static func history(_ twin: Twin) -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.field("machine", string: twin.address.name)
        writer.field("version", integer: Int(twin.version))
        writer.key("properties")
        writer.open()
        for (name, history) in twin.history.sorted(by: { $0.key < $1.key }) {
            let samples = history.samples
            writer.key(name)
            writer.open()
            if let first = samples.first { writer.field("start", string: ISO8601Parsing.string(first.time)) }
            writer.key("offsets_s")
            writer.openArray()
            for sample in samples { writer.element(number: sample.time.timeIntervalSince(samples[0].time)) }
            writer.closeArray()
            writer.key("values")
            writer.openArray()
            for sample in samples { writer.element(number: (sample.value * 1000).rounded() / 1000) }
            writer.closeArray()
            writer.close()
        }
        writer.close()
        writer.close()
        return writer.bytes
    }

    /// Reads a history (the shape ``history(_:)`` writes): the values per property, oldest first.
    public static func decodeHistory(_ fields: JSONFields) throws(PayloadError) -> [String: [Double]] {
        let properties = try fields.object("properties")
        var series: [String: [Double]] = [:]
        for (name, value) in properties.members {
            guard case .object(let members) = value else { throw PayloadError(.wrongType, "\"\(name)\" must be an object") }
            series[name] = try JSONFields(members: members).numbers("values")
        }
        return series
    }
}
