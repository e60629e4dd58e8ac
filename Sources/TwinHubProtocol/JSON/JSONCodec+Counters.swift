import Foundation
import TwinModel

/// Counters (`…/{machine}/counters`, QoS 1, retained): production after each cycle.
extension JSONCodec {
    /// `{"ts":…,"seq":…,"total":…,"good":…,"scrap":…,"ideal_cycle_time_s":…}`
    public static func counters(_ counters: ProductionCounters) -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.field("ts", timestamp: counters.time)
        writer.field("seq", integer: Int(counters.sequence))
        writer.field("total", integer: counters.total)
        writer.field("good", integer: counters.good)
        writer.field("scrap", integer: counters.scrap)
        writer.field("ideal_cycle_time_s", number: counters.idealCycleTime.secondsValue)
        writer.close()
        return writer.bytes
    }

    /// Reads a counters payload (the shape ``counters(_:)`` writes).
    public static func decodeCounters(_ bytes: [UInt8], maximumSize: Int = JSONFields.defaultMaximumSize) throws(PayloadError) -> ProductionCounters {
        let fields = try JSONFields.read(bytes, maximumSize: maximumSize, what: "counters")
        func count(_ key: String) throws(PayloadError) -> Int {
            let value = try fields.number(key)
            guard value >= 0, value == value.rounded(), value < 1e15 else { throw PayloadError(.invalidValue, "\"\(key)\" must be a whole number ≥ 0") }
            return Int(value)
        }
        let total = try count("total"), good = try count("good"), scrap = try count("scrap")
        guard good + scrap == total else { throw PayloadError(.invalidValue, "good (\(good)) + scrap (\(scrap)) must equal total (\(total))") }
        let cycle = try fields.number("ideal_cycle_time_s")
        guard cycle > 0, let idealCycleTime = DurationText.duration(seconds: cycle) else {
            throw PayloadError(.invalidValue, "\"ideal_cycle_time_s\" must be positive")
        }
        return ProductionCounters(time: try fields.timestamp("ts"), sequence: try fields.sequence("seq", minimum: 1), total: total, good: good,
                                  scrap: scrap, idealCycleTime: idealCycleTime)
    }
}
