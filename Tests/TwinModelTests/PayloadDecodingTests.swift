import Foundation
import Testing
import TestSupport
@testable import TwinModel
import TwinHubProtocol

@Suite("Reading payloads from the wire")
struct PayloadDecodingTests {
    static let sample = TelemetrySample(
        time: ISO8601Parsing.date("2026-03-02T06:00:01.000Z")!, sequence: 7,
        values: [.init(property: "power", value: 12.5, unit: "kW"), .init(property: "spindle_speed", value: 9500, unit: "rpm")])

    @Test("Every message the simulator writes reads back identically")
    func roundTrips() throws {
        let telemetry = try JSONCodec.decodeTelemetry(JSONCodec.telemetry(Self.sample, machine: "m1", kind: "cnc"))
        #expect(telemetry == .init(machine: "m1", kind: "cnc", sample: Self.sample))
        let change = StateChange(time: Self.sample.time, sequence: 3, state: .fault, previous: .running, reason: "fault coolant_loss")
        #expect(try JSONCodec.decodeState(JSONCodec.state(change)) == change)
        let counters = ProductionCounters(time: Self.sample.time, sequence: 4, total: 10, good: 9, scrap: 1, idealCycleTime: .seconds(25))
        #expect(try JSONCodec.decodeCounters(JSONCodec.counters(counters)) == counters)
        #expect(try JSONCodec.decodeStatus(JSONCodec.status(online: false, time: nil, reason: "connection lost"))
                == .init(online: false, time: nil, reason: "connection lost"))
    }

    @Test("The JSON reader follows RFC 8259", arguments: [
        (#"{"a":[1,-2.5e3,0,true,false,null,"x\u00e9\n\ud83d\ude00"]}"#, true),
        ("  {}  ", true), ("[]", true), ("0", true), ("-0.0", true), (#""\/""#, true),
        ("{", false), ("[1,]", false), (#"{"a":1,}"#, false), ("01", false), ("1.", false), (".5", false), ("1e", false),
        ("+1", false), ("NaN", false), ("Infinity", false), ("-Infinity", false), ("1e999", false), ("tru", false),
        (#"{"a":1,"a":2}"#, false), (#""\x""#, false), (#""\ud800""#, false), ("\"a\u{1}\"", false), ("[1] [2]", false),
        (String(repeating: "[", count: 40) + String(repeating: "]", count: 40), false),
    ])
    func reader(text: String, valid: Bool) {
        do {
            _ = try JSONReader.read(Array(text.utf8))
            #expect(valid, "accepted \(text)")
        } catch {
            #expect(!valid, "refused \(text): \(error)")
        }
    }

    @Test("Invalid UTF-8 is refused")
    func invalidUTF8() {
        let error = #expect(throws: PayloadError.self) { try JSONReader.read([0x22, 0xC3, 0x28, 0x22]) }
        #expect(error?.code == .malformedJSON)
    }

    @Test("Each class of bad telemetry has its own code", arguments: [
        ("not json", PayloadError.Code.malformedJSON),
        (#"{"ts":"2026-03-02T06:00:01.000Z","seq":1,"machine":"m","kind":"k","values":{"a":{"value":NaN,"unit":"x"}}}"#, .nonFinite),
        (#"{"ts":"2026-03-02T06:00:01.000Z","seq":1,"machine":"m","kind":"k","values":{"a":{"value":1e400,"unit":"x"}}}"#, .nonFinite),
        (#"{"ts":"2026-03-02T06:00:01.000Z","seq":1,"machine":"m","kind":"k","values":{"a":{"value":"1","unit":"x"}}}"#, .wrongType),
        (#"{"ts":"2026-03-02T06:00:01.000Z","seq":1,"machine":"m","kind":"k","values":{"a":{"unit":"x"}}}"#, .missingField),
        (#"{"ts":"2026-03-02T06:00:01.000Z","machine":"m","kind":"k","values":{}}"#, .missingField),
        (#"{"ts":"yesterday","seq":1,"machine":"m","kind":"k","values":{}}"#, .invalidValue),
        (#"{"ts":"2026-03-02T06:00:00.1e400Z","seq":1,"machine":"m","kind":"k","values":{}}"#, .invalidValue),
        (#"{"ts":"2026-03-02T06:00:00.1e20Z","seq":1,"machine":"m","kind":"k","values":{}}"#, .invalidValue),
        (#"{"ts":"9999-03-02T06:00:00.000Z","seq":1,"machine":"m","kind":"k","values":{}}"#, .invalidValue),
        (#"{"ts":"2026-03-02T06:00:01.000Z","seq":0,"machine":"m","kind":"k","values":{}}"#, .invalidValue),
        (#"{"ts":"2026-03-02T06:00:01.000Z","seq":1.5,"machine":"m","kind":"k","values":{}}"#, .invalidValue),
        (#"{"ts":"2026-03-02T06:00:01.000Z","seq":1,"machine":7,"kind":"k","values":{}}"#, .wrongType),
        (#"[1,2,3]"#, .wrongType),
    ])
    func badTelemetry(text: String, code: PayloadError.Code) {
        let error = #expect(throws: PayloadError.self) { try JSONCodec.decodeTelemetry(Array(text.utf8)) }
        #expect(error?.code == code, "\(error?.description ?? "")")
    }

    @Test("Oversized payloads are refused before parsing, at a configurable limit")
    func oversized() {
        let big = JSONCodec.telemetry(Self.sample, machine: String(repeating: "m", count: 2000), kind: "k")
        let error = #expect(throws: PayloadError.self) { try JSONCodec.decodeTelemetry(big, maximumSize: 1024) }
        #expect(error?.code == .tooLarge)
        #expect((try? JSONCodec.decodeTelemetry(big)) != nil, "within the default 64 KiB")
    }

    @Test("Fuzz: 100,000 random and mutated payloads never crash the decoders", .cpuBound)
    func fuzz() {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> UInt64 {  // xorshift64*, deterministic
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return state &* 0x2545_F491_4F6C_DD1D
        }
        let seeds: [[UInt8]] = [
            JSONCodec.telemetry(Self.sample, machine: "m1", kind: "cnc"),
            JSONCodec.state(StateChange(time: Self.sample.time, sequence: 1, state: .running, previous: .idle, reason: "r")),
            JSONCodec.counters(ProductionCounters(time: Self.sample.time, sequence: 1, total: 1, good: 1, scrap: 0, idealCycleTime: .seconds(1))),
            JSONCodec.status(online: true, time: Self.sample.time, reason: "connected"),
            JSONCodec.command(MachineCommandRequest(command: .injectFault, fault: "x", duration: .seconds(5))),
        ]
        let alphabet = Array(#"{}[]":,.-+eE0123456789truefalsnNaI\u"#.utf8) + [0, 0x7F, 0xC3, 0xFF, 0x0A]
        let decoders: [([UInt8]) throws -> Void] = [
            { _ = try JSONCodec.decodeTelemetry($0) },
            { _ = try JSONCodec.decodeState($0) },
            { _ = try JSONCodec.decodeCounters($0) },
            { _ = try JSONCodec.decodeStatus($0) },
            { _ = try JSONCodec.decodeCommand($0) },
        ]
        var decoded = 0
        var refused: [PayloadError.Code: Int] = [:]
        for round in 0..<100_000 {
            var bytes: [UInt8]
            if round % 4 == 0 {
                bytes = (0..<Int(next() % 120)).map { _ in next() % 3 == 0 ? UInt8(truncatingIfNeeded: next()) : alphabet[Int(next() % UInt64(alphabet.count))] }
            } else {
                bytes = seeds[Int(next() % UInt64(seeds.count))]
                for _ in 0..<(1 + Int(next() % 4)) {
                    let position = bytes.isEmpty ? 0 : Int(next() % UInt64(bytes.count))
                    switch next() % 4 {
                    case 0 where !bytes.isEmpty: bytes[position] = alphabet[Int(next() % UInt64(alphabet.count))]
                    case 1: bytes.insert(alphabet[Int(next() % UInt64(alphabet.count))], at: position)
                    case 2 where !bytes.isEmpty: bytes.remove(at: position)
                    default: bytes = Array(bytes[..<position])
                    }
                }
            }
            for decode in decoders {
                do {
                    try decode(bytes)
                    decoded += 1
                } catch let error as PayloadError {
                    refused[error.code, default: 0] += 1
                } catch {
                    Issue.record("a decoder threw something other than PayloadError: \(error)")
                }
            }
        }
        #expect(decoded > 1000, "some mutations still decode (\(decoded))")
        #expect(refused.keys.count >= 5, "every kind of refusal is exercised: \(refused)")
    }
}
