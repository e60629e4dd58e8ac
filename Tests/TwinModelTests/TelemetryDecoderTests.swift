import Foundation
import TestSupport
import Testing
@testable import TwinModel
import TwinHubProtocol

/// The streaming telemetry decoder against reading the JSON tree, which it replaces on the hot path: the same
/// telemetry, or the same error (code and reason), for every input.
@Suite("Decoding telemetry without a JSON tree")
struct TelemetryDecoderTests {
    /// Telemetry read the general way: the whole JSON tree first, then the fields.
    static func reference(_ bytes: [UInt8], maximumSize: Int = JSONCodec.defaultMaximumSize) throws(PayloadError) -> MachineTelemetry {
        let fields = try JSONFields.read(bytes, maximumSize: maximumSize, what: "telemetry")
        let time = try fields.timestamp("ts")
        let sequence = try fields.sequence("seq", minimum: 1)
        guard case .object(let values)? = fields["values"] else {
            throw fields["values"] == nil ? PayloadError(.missingField, "missing \"values\"") : PayloadError(.wrongType, "\"values\" must be an object")
        }
        var readings: [TelemetrySample.Reading] = []
        for (name, reading) in values.sorted(by: { $0.key < $1.key }) {
            guard case .object(let member) = reading else { throw PayloadError(.wrongType, "values.\(name) must be an object with value and unit") }
            guard case .number(let value)? = member["value"] else {
                throw member["value"] == nil ? PayloadError(.missingField, "missing values.\(name).value") : PayloadError(.wrongType, "values.\(name).value must be a number")
            }
            guard case .string(let unit)? = member["unit"] else {
                throw member["unit"] == nil ? PayloadError(.missingField, "missing values.\(name).unit") : PayloadError(.wrongType, "values.\(name).unit must be a string")
            }
            readings.append(.init(property: name, value: value, unit: unit))
        }
        return .init(machine: try fields.string("machine"), kind: try fields.string("kind"), sample: TelemetrySample(time: time, sequence: sequence, values: readings))
    }

    static func outcome(_ decode: () throws(PayloadError) -> MachineTelemetry) -> Result<MachineTelemetry, PayloadError> {
        Result { () throws(PayloadError) in try decode() }
    }

    static let seeds: [String] = [
        #"{"ts":"2026-03-02T06:00:01.000Z","seq":7,"machine":"m1","kind":"cnc","values":{"power":{"value":12.5,"unit":"kW"},"spindle_speed":{"value":9500,"unit":"rpm"}}}"#,
        #" { "values" : { "b" : { "unit" : "°C" , "value" : -0.25e1 , "note" : [1, {"x": null}] }, "a": {"value": 1E-3, "unit": "x\u00e9\n"} }, "kind": "k", "extra": {"deep": [true, false]}, "machine": "m\"q", "seq": 12, "ts": "2026-03-02T06:00:01Z" } "#,
        #"{"ts":"2026-03-02T06:00:01.000Z","seq":1,"machine":"m","kind":"k","values":{"a":{"value":1,"unit":"x"},"a":{"value":2,"unit":"x"}}}"#,
        #"{"ts":"2026-03-02T06:00:01.000Z","seq":1,"machine":"m","kind":"k","values":{"a":{"value":1,"value":2,"unit":"x"}}}"#,
        #"{"ts":"2026-03-02T06:00:01.000Z","ts":"2026-03-02T06:00:02.000Z","seq":1,"machine":"m","kind":"k","values":{}}"#,
        #"{"ts":"2026-03-02T06:00:01.000Z","seq":1,"machine":"m","kind":"k","values":[1,2],"values":{}}"#,
        #"{"ts":"2026-03-02T06:00:01.000Z","seq":1,"machine":"m","kind":"k","values":{"a":7,"b":{"value":"1","unit":"x"}}}"#,
        #"{"ts":"2026-03-02T06:00:01.000Z","seq":123456789012345678901234567890,"machine":"m","kind":"k","values":{"a":{"value":0.1234567890123456789,"unit":"x"}}}"#,
        #"{"x":1,"x":2}"#, "[1]", "\"text\"", "",
    ]

    @Test("The streaming decoder and the tree agree on every seed and 200,000 mutations of them", .cpuBound)
    func agreesWithTheTree() {
        var random = SplitMix64(seed: 0x9E37_79B9_7F4A_7C15)
        func next() -> UInt64 { random.next() }
        // Twenty readings: past the decoder's switch from scanning to a set for duplicate names.
        var many = #"{"ts":"2026-03-02T06:00:01.000Z","seq":1,"machine":"m","kind":"k","values":{"#
        many += (0..<20).map { #""p\#($0 % 19)":{"value":\#($0),"unit":"u"}"# }.joined(separator: ",") + "}}"
        let seeds = (Self.seeds + [many]).map { Array($0.utf8) }
        let alphabet = Array(#"{}[]":,.-+eE0123456789truefalsnNaI\u vau"#.utf8) + [0, 0x7F, 0xC3, 0xA9, 0xFF, 0x0A]
        var agreed = (decoded: 0, refused: 0)
        for round in 0..<200_000 {
            var bytes = seeds[Int(next() % UInt64(seeds.count))]
            if round >= seeds.count {
                for _ in 0..<(1 + Int(next() % 3)) {
                    let position = bytes.isEmpty ? 0 : Int(next() % UInt64(bytes.count))
                    switch next() % 4 {
                    case 0 where !bytes.isEmpty: bytes[position] = alphabet[Int(next() % UInt64(alphabet.count))]
                    case 1: bytes.insert(alphabet[Int(next() % UInt64(alphabet.count))], at: position)
                    case 2 where !bytes.isEmpty: bytes.remove(at: position)
                    default:
                        let end = min(bytes.count, position + Int(next() % 8))
                        bytes.insert(contentsOf: bytes[position..<end], at: position)
                    }
                }
            }
            let streaming = Self.outcome { () throws(PayloadError) in try JSONCodec.decodeTelemetry(bytes) }
            let tree = Self.outcome { () throws(PayloadError) in try Self.reference(bytes) }
            guard streaming == tree else {
                Issue.record("they disagree on \(String(decoding: bytes, as: UTF8.self)): streaming \(streaming), tree \(tree)")
                return
            }
            if case .success = streaming { agreed.decoded += 1 } else { agreed.refused += 1 }
        }
        #expect(agreed.decoded > 2000 && agreed.refused > 2000, "both outcomes are exercised: \(agreed)")
    }

    @Test("Size limits and non-objects are refused alike")
    func limits() {
        let payload = Array(Self.seeds[0].utf8)
        #expect(Self.outcome { () throws(PayloadError) in try JSONCodec.decodeTelemetry(payload, maximumSize: 20) }
                == Self.outcome { () throws(PayloadError) in try Self.reference(payload, maximumSize: 20) })
        for text in ["[1,2", "[1,2] x", "null", "   "] {
            let bytes = Array(text.utf8)
            #expect(Self.outcome { () throws(PayloadError) in try JSONCodec.decodeTelemetry(bytes) }
                    == Self.outcome { () throws(PayloadError) in try Self.reference(bytes) }, "\(text)")
        }
    }

    @Test("Numbers read by the exact fast path equal the full conversion")
    func numbers() throws {
        var random = SplitMix64(seed: 0x1234_5678_9ABC_DEF1)
        func next() -> UInt64 { random.next() }
        var texts = ["0", "-0", "0.0", "-0.0", "1", "9007199254740993", "123456789012345", "1234567890123456", "0.1", "0.30000000000000004",
                     "1e22", "1e23", "1e-22", "1e-23", "4.35", "99999999999999.99", "5e-324", "1.7976931348623157e308", "0.000001"]
        for _ in 0..<50_000 {
            let digits = String(next() % 10_000_000_000_000_000)
            let point = Int(next() % UInt64(digits.count + 1))
            var text = (next() % 2 == 0 ? "-" : "") + String(digits.prefix(point).isEmpty ? "0" : digits.prefix(point))
            if point < digits.count { text += "." + digits.dropFirst(point) }
            if next() % 3 == 0 { text += "e" + String(Int(next() % 60) - 30) }
            texts.append(text)
        }
        for text in texts {
            guard case .number(let read) = try JSONReader.read(Array(text.utf8)) else {
                Issue.record("\(text) is not read as a number")
                continue
            }
            let expected = try #require(Double(text))
            #expect(read.bitPattern == expected.bitPattern, "\(text): \(read) instead of \(expected)")
        }
    }
}
