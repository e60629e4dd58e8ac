import Foundation
import Simulation
import Testing
import TestSupport
@testable import Rules
import TwinModel
import Twins

/// Twins and their rules' memories are stored every second with ``StreamingJSONEncoder``, and read back at start-up
/// with `JSONDecoder`: both must agree on every field of real records, alerts and trends included.
@Suite("Stored twins and rule memories round-trip through the streaming encoder")
struct StoredStateEncodingTests {
    /// The same value written by `JSONEncoder`, as a JSON tree (the two may order keys and spell numbers differently).
    static func tree(_ bytes: [UInt8]) throws -> JSON { try JSONReader.read(bytes) }

    @Test("Every twin and memory over eight simulated hours, alerts open, reads back equal and matches JSONEncoder's JSON", .cpuBound)
    func simulatedDay() throws {
        let kinds = ScenarioRun.kinds
        let scenario = try ScenarioRun.scenario("predictive-maintenance-training.yaml")
        var store = TwinStore(kinds: kinds.mapValues(\.interface))
        var engine = RuleEngine(book: RuleBook(kinds: kinds, overrides: scenario.ruleOverrides))
        var simulators = scenario.machines.map { MachineSimulator(instance: $0, scenario: scenario) }
        let streaming = StreamingJSONEncoder(), reference = JSONEncoder(), decoder = JSONDecoder()
        var checked = (twins: 0, alerts: 0, trends: 0)
        for hour in 1...8 {
            for step in 1...60 {
                for (index, instance) in scenario.machines.enumerated() {
                    let address = instance.path
                    for event in simulators[index].advance(to: Double((hour - 1) * 3600 + step * 60)) {
                        let decoded: TwinStore.Decoded, trigger: RuleTrigger, time: Date
                        switch event {
                        case .telemetry(let sample):
                            (decoded, trigger, time) = (.telemetry(.init(machine: instance.id, kind: instance.kind.id, sample: sample)),
                                                        .telemetry(sample.values.map(\.property)), sample.time)
                        case .state(let change): (decoded, trigger, time) = (.state(change), .state, change.time)
                        case .counters(let counters): (decoded, trigger, time) = (.counters(counters), .counters, counters.time)
                        case .network: continue
                        }
                        _ = store.apply(decoded, address: address, received: time)
                        _ = engine.evaluate(store.twins[address]!, trigger: trigger, wall: time)
                    }
                }
            }
            guard hour % 2 == 0 else { continue }
            for twin in store.twins.values {
                let record = twin.record
                let bytes = try streaming.encode(record)
                #expect(try decoder.decode(Twin.Record.self, from: Data(bytes)) == record)
                #expect(try Self.tree(bytes) == Self.tree(Array(try reference.encode(record))))
                let saved = try #require(engine.saved(twin))
                let savedBytes = try streaming.encode(saved)
                #expect(try decoder.decode(MachineRules.Saved.self, from: Data(savedBytes)) == saved)
                #expect(try Self.tree(savedBytes) == Self.tree(Array(try reference.encode(saved))))
                checked.twins += 1
                checked.alerts += saved.values.filter { $0.alert != nil }.count
                checked.trends += saved.values.filter { $0.trend != nil }.count
            }
        }
        #expect(checked.alerts > 0 && checked.trends > 0, "alerts and trends were among what was checked: \(checked)")
    }

    /// Every shape a `Codable` type can take, for the encoder alone.
    struct Shapes: Codable, Equatable {
        enum Colour: String, Codable, CodingKeyRepresentable { case red, green }
        struct Inner: Codable, Equatable {
            var name: String
            var when: Date?
        }
        var text = "quote \" backslash \\ newline \n tab \t control \u{1} é 😀 slash /"
        var empty = ""
        var integers: [Int64] = [.min, -1, 0, 1, .max]
        var unsigned: UInt64 = .max
        var doubles: [Double] = [0, -0.0, 0.1, -2.5e-300, 1.7976931348623157e308, 123456789.125, 1e15, 1e16]
        var floats: [Float] = [0.1, 3.4028235e38, -1.5, 16_777_216]
        var flags = [true, false]
        var optional: Int?
        var present: Int? = 3
        var data = Data([0, 1, 2, 250, 255])
        var date = Date(timeIntervalSince1970: 1_772_431_200.123)
        var inner = Inner(name: "n", when: Date(timeIntervalSinceReferenceDate: 0))
        var nested: [[Inner]] = [[], [Inner(name: "a", when: nil), Inner(name: "b", when: nil)]]
        var byName: [String: [Double]] = ["a": [1, 2], "b": []]
        var byColour: [Colour: Int] = [.red: 1, .green: 2]
        var byNumber: [Int: String] = [1: "one", -2: "minus two"]
        var nothing: [String: Int] = [:]
    }

    @Test("Every shape of Codable value reads back equal and matches JSONEncoder's JSON")
    func shapes() throws {
        let value = Shapes()
        let bytes = try StreamingJSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(Shapes.self, from: Data(bytes)) == value)
        #expect(try Self.tree(bytes) == Self.tree(Array(try JSONEncoder().encode(value))))
    }

    @Test("Negative zero keeps its sign, as with JSONEncoder")
    func negativeZero() throws {
        let bytes = try StreamingJSONEncoder().encode([-0.0, 0.0])
        #expect(String(decoding: bytes, as: UTF8.self) == "[-0,0]")
        let read = try JSONDecoder().decode([Double].self, from: Data(bytes))
        #expect(read[0].sign == .minus && read[1].sign == .plus)
    }

    @Test("Non-finite numbers are refused, as JSONEncoder refuses them")
    func nonFinite() {
        #expect(throws: EncodingError.self) { try StreamingJSONEncoder().encode(["x": Double.nan]) }
        #expect(throws: EncodingError.self) { try StreamingJSONEncoder().encode([Float.infinity]) }
    }

    /// A type whose `encode(to:)` goes back to its outer container after filling a nested one.
    struct Interleaved: Encodable {
        enum Keys: String, CodingKey { case first, nested, last, inner }
        func encode(to encoder: any Encoder) throws {
            var outer = encoder.container(keyedBy: Keys.self)
            try outer.encode(1, forKey: .first)
            var nested = outer.nestedContainer(keyedBy: Keys.self, forKey: .nested)
            try nested.encode("x", forKey: .inner)
            try outer.encode(2, forKey: .last)
        }
    }

    /// The same, then back to the nested container after the outer one moved on.
    struct OutOfOrder: Encodable {
        enum Keys: String, CodingKey { case nested, last, inner }
        func encode(to encoder: any Encoder) throws {
            var outer = encoder.container(keyedBy: Keys.self)
            var nested = outer.nestedContainer(keyedBy: Keys.self, forKey: .nested)
            try outer.encode(2, forKey: .last)
            try nested.encode("x", forKey: .inner)
        }
    }

    /// Back to a sibling container after a later one was opened at the same depth.
    struct BackToSibling: Encodable {
        enum Keys: String, CodingKey { case x, y, z }
        func encode(to encoder: any Encoder) throws {
            var outer = encoder.container(keyedBy: Keys.self)
            var first = outer.nestedContainer(keyedBy: Keys.self, forKey: .x)
            _ = outer.nestedContainer(keyedBy: Keys.self, forKey: .y)
            try first.encode(1, forKey: .z)
        }
    }

    /// Asks its encoder for a keyed container twice, as a subclass calling its superclass's `encode(to:)` does.
    struct TwoContainers: Encodable {
        enum Keys: String, CodingKey { case a, b }
        func encode(to encoder: any Encoder) throws {
            var first = encoder.container(keyedBy: Keys.self)
            try first.encode(1, forKey: .a)
            var second = encoder.container(keyedBy: Keys.self)
            try second.encode([2], forKey: .b)
        }
    }

    @Test("Nested containers filled in order are closed in the right place; out of order is an error, not bad JSON")
    func nestedContainers() throws {
        let bytes = try StreamingJSONEncoder().encode(Interleaved())
        #expect(try Self.tree(bytes) == .object(["first": .number(1), "nested": .object(["inner": .string("x")]), "last": .number(2)]))
        #expect(throws: EncodingError.self) { try StreamingJSONEncoder().encode(OutOfOrder()) }
        #expect(throws: EncodingError.self) { try StreamingJSONEncoder().encode(BackToSibling()) }
        let twice = try StreamingJSONEncoder().encode([TwoContainers()])
        #expect(try Self.tree(twice) == Self.tree(Array(try JSONEncoder().encode([TwoContainers()]))))
        #expect(try Self.tree(twice) == .array([.object(["a": .number(1), "b": .array([.number(2)])])]))
    }
}
