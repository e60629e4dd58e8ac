import Foundation
import Testing
import TestSupport
@testable import Simulation
import TwinModel
import TwinHubProtocol

@Suite("Telemetry written from pieces made ahead")
struct TelemetryEncoderTests {
    @Test("Every sample of every kind, through each of its faults, is byte for byte what JSONCodec writes", .cpuBound)
    func sameBytesAsThePayloadWriter() throws {
        var compared = 0, withGaps = 0
        for kind in Fixtures.kinds.keys.sorted() {
            var machine = try Fixtures.simulator(kind: kind, start: "2026-03-02T05:50:00Z")
            let instance = machine.instance
            let encoder = TelemetryEncoder(for: instance)
            var events = machine.advance(to: 1200)
            // Each fault in turn: sensor dropouts leave gaps, stuck and drifting sensors change values.
            for (offset, fault) in instance.kind.profile.faults.enumerated() {
                let refusal = machine.handle(MachineCommandRequest(command: .injectFault, fault: fault.name, duration: .seconds(300)))
                #expect(refusal == nil, "\(kind): \(fault.name)")
                events += machine.advance(to: 1200 + Double(offset + 1) * 400)
            }
            for sample in events.samples {
                #expect(encoder.encode(sample) == JSONCodec.telemetry(sample, machine: instance.id, kind: instance.kind.id), "\(kind) #\(sample.sequence)")
                compared += 1
                if sample.values.count < instance.kind.interface.properties.count { withGaps += 1 }
            }
        }
        #expect(compared > 5_000)
        #expect(withGaps > 0, "a sensor dropout leaves a reading out")
    }

    @Test("Names needing escapes, readings out of the kind's order, unknown properties and other units")
    func readingsOffThePieces() {
        let properties = [(name: "a\"b", unit: "°C"), (name: "speed", unit: "rpm"), (name: "spe\u{00E9}d", unit: "rpm"), (name: "r", unit: "\u{2126}"),
                          (name: "tab\there", unit: "\\"), (name: "q\u{0301}\u{0316}", unit: "")]
        let encoder = TelemetryEncoder(machine: "m\"1\n", kind: "k\\", properties: properties)
        let time = Date(timeIntervalSince1970: 1_772_430_000.125)
        let cases: [[TelemetrySample.Reading]] = [
            [],
            [.init(property: "a\"b", value: 1.5, unit: "°C"), .init(property: "speed", value: 1200, unit: "rpm"), .init(property: "tab\there", value: -0.25, unit: "\\")],
            [.init(property: "tab\there", value: 3, unit: "\\"), .init(property: "a\"b", value: .nan, unit: "°C")],
            [.init(property: "speed", value: 1e300, unit: "rpm"), .init(property: "other", value: 0.1, unit: "x"), .init(property: "tab\there", value: -0.0, unit: "\\")],
            [.init(property: "speed", value: 7, unit: "rad/s"), .init(property: "speed", value: 8, unit: "rpm")],
            // Canonically equal to the kind's, other bytes: the reading's own are written.
            [.init(property: "spe\u{0065}\u{0301}d", value: 1, unit: "rpm"), .init(property: "r", value: 2, unit: "\u{03A9}")],
            // Canonically equal and as long in UTF-8 (the marks in the other order).
            [.init(property: "q\u{0316}\u{0301}", value: 3, unit: "")],
        ]
        for (index, values) in cases.enumerated() {
            let sample = TelemetrySample(time: time, sequence: UInt64(index + 1), values: values)
            #expect(encoder.encode(sample) == JSONCodec.telemetry(sample, machine: "m\"1\n", kind: "k\\"), "case \(index)")
        }
    }
}
