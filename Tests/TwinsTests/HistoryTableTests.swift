import Foundation
import Testing
@testable import Twins
import TwinModel

/// A twin's histories share one table (a segment per property, grown together); each property must still keep
/// exactly its own last `capacity` samples, as a history of its own would.
@Suite("History table")
struct HistoryTableTests {
    /// A property's samples kept the plain way: every one, the last `capacity` shown.
    struct Reference {
        var samples: [(time: Date, value: Double)] = []
        func last(_ capacity: Int) -> [(time: Date, value: Double)] { Array(samples.suffix(capacity)) }
    }

    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func same(_ left: [(time: Date, value: Double)], _ right: [(time: Date, value: Double)]) -> Bool {
        left.count == right.count && zip(left, right).allSatisfy { $0.time == $1.time && $0.value == $1.value }
    }

    @Test("Properties arriving at different rates, added late anywhere among the others, with times going back: each keeps its own last samples",
          arguments: [1, 2, 5, 8, 60])
    func differential(capacity: Int) {
        var random = SystemRandomNumberGenerator()
        var table = HistoryTable(capacity: capacity)
        var references: [Reference] = []
        var second = 0.0
        for step in 0..<3_000 {
            if references.isEmpty || (references.count < 12 && Int.random(in: 0..<40, using: &random) == 0) {
                // Anywhere among the others, as a twin puts a new property in its kind's order.
                let position = Int.random(in: 0...references.count, using: &random)
                table.insertProperty(at: position)
                references.insert(Reference(), at: position)
            }
            // Mostly forward, at times back by up to a minute (a clock set back, a straggler).
            second += Int.random(in: 0..<20, using: &random) == 0 ? -Double.random(in: 1...60, using: &random).rounded() : 1
            // Property p arrives about every (p + 1)th step.
            let property = Int.random(in: 0..<references.count, using: &random)
            guard Int.random(in: 0...property, using: &random) == 0 else { continue }
            let time = Self.start.addingTimeInterval(second)
            let value = Double(step % 1000) - 500
            table.append(value, at: time, to: property)
            references[property].samples.append((time, value))
        }
        for (property, reference) in references.enumerated() {
            #expect(table.count(of: property) == min(reference.samples.count, capacity))
            #expect(Self.same(table.samples(of: property), reference.last(capacity)), "property \(property) of \(references.count)")
            #expect(Self.same(SampleHistory(property, of: table).samples, reference.last(capacity)))
        }
    }

    @Test("A young twin's table holds a slot per property, and grows to the capacity and no further")
    func growth() {
        var table = HistoryTable(capacity: 5)
        for _ in 0..<3 { table.addProperty() }
        for second in 0..<12 {
            for property in 0..<3 { table.append(Double(second), at: Self.start.addingTimeInterval(Double(second)), to: property) }
            #expect(table.stored(0).count == min(second + 1, 5))
        }
        #expect(table.samples(of: 2).map(\.value) == [7, 8, 9, 10, 11])
        #expect(table.next(of: 2) == 2, "the ring went round: the oldest sample's place")
    }

    @Test("A stored history reads back into a twin with its times exact, histories of different starts included")
    func restore() throws {
        var twin = TwinFixtures.twin(historySize: 60)
        twin.apply(TwinFixtures.sample(1, "06:00:01", [("spindle_speed", 9500, "rpm")]), received: at("06:00:01"))
        twin.apply(TwinFixtures.sample(2, "06:00:30", [("spindle_speed", 9600, "rpm"), ("vibration", 2, "mm/s")]), received: at("06:00:30"))
        var record = twin.record
        // A history stored before twins shared one table: its own base, earlier than the other's.
        var older = SampleHistory(capacity: 60)
        older.append(3, at: at("05:59:00"))
        older.append(4, at: at("06:00:30"))
        record.history["vibration"] = older
        let restored = Twin(record: record, kind: TwinFixtures.cnc, settings: .init())
        #expect(restored.history["vibration"] == older)
        #expect(restored.history["vibration"]?.samples.first?.time == at("05:59:00"))
        #expect(restored.history["spindle_speed"] == twin.history["spindle_speed"])
        #expect(restored.history["spindle_speed"]?.samples.map(\.time) == [at("06:00:01"), at("06:00:30")])
    }

    @Test("Histories are equal by their samples, wherever their rings start")
    func equality() throws {
        var ring = SampleHistory(capacity: 3)
        for second in 0..<5 { ring.append(Double(second), at: Self.start.addingTimeInterval(Double(second))) }
        var fresh = SampleHistory(capacity: 3)
        for second in 2..<5 { fresh.append(Double(second), at: Self.start.addingTimeInterval(Double(second))) }
        #expect(ring == fresh)
        let decoded = try JSONDecoder().decode(SampleHistory.self, from: JSONEncoder().encode(ring))
        #expect(decoded == ring && decoded.samples.map(\.value) == [2, 3, 4])
        fresh.append(9, at: Self.start.addingTimeInterval(9))
        #expect(ring != fresh)
    }

    @Test("The buffer is sized to what it holds: after a restore, and after a property that comes late")
    func exactSize() {
        var table = HistoryTable(capacity: 60)
        for _ in 0..<11 { table.addProperty() }
        for second in 0..<100 {
            for property in 0..<11 { table.append(1, at: Self.start.addingTimeInterval(Double(second)), to: property) }
        }
        #expect(table.allocatedSlots < 11 * 60 * 11 / 10)
        table.insertProperty(at: 3)
        #expect(table.allocatedSlots < 12 * 60 * 11 / 10, "not doubled for one more segment: \(table.allocatedSlots) slots")

        var twin = TwinFixtures.twin(historySize: 60)
        let names = TwinFixtures.cnc.properties.map(\.name)
        for second in 0..<90 {
            let values = TwinFixtures.cnc.properties.map { ($0.name, $0.normal.lowerBound, $0.unit) }
            twin.apply(TelemetrySample(time: at("06:00:00").addingTimeInterval(Double(second)), sequence: UInt64(second + 1),
                                       values: values.map { .init(property: $0.0, value: $0.1, unit: $0.2) }), received: at("06:00:00"))
        }
        let restored = Twin(record: twin.record, serial: 0, shared: SharedKind(TwinFixtures.cnc), settings: SharedSettings(twin.settings))
        let slots = restored.historySlots
        #expect(slots < names.count * 60 * 11 / 10, "\(slots) slots for \(names.count) × 60 samples")
        #expect(restored.history.dictionary == twin.history.dictionary)
    }

    @Test("Times are kept to the second whichever property came first, and a much older sample keeps its own time")
    func times() {
        var table = HistoryTable(capacity: 4)
        table.addProperty()
        table.addProperty()
        table.append(1, at: Date(timeIntervalSince1970: 1_800_000_100.9), to: 0)
        table.append(2, at: Date(timeIntervalSince1970: 1_800_000_101.1), to: 1)
        #expect(table.samples(of: 0).map(\.time) == [Date(timeIntervalSince1970: 1_800_000_100)])
        #expect(table.samples(of: 1).map(\.time) == [Date(timeIntervalSince1970: 1_800_000_101)])

        // A first sample dated 2199 (the latest a timestamp may be), then one of 2027: more than 136 years before.
        var far = HistoryTable(capacity: 4)
        far.addProperty()
        far.append(1, at: ISO8601Parsing.date("2199-12-31T23:59:59Z")!, to: 0)
        far.append(2, at: at("06:00:00"), to: 0)
        #expect(far.samples(of: 0).last?.time == at("06:00:00"))
    }
}
