import TestSupport
import Testing
@testable import SparkplugB

@Suite("Decoder fuzzing")
struct FuzzTests {
    /// Valid payloads of every message type, to mutate.
    static var seeds: [(SparkplugVerb, [UInt8])] {
        var properties = SparkplugPropertySet()
        properties.engineeringUnit = "rpm"
        properties.engineeringRange = 0...100
        properties["nested"] = .list([SparkplugPropertySet([("q", .value(.int32(192)))])])
        let metrics = CodecTests.values.enumerated().map { SparkplugMetric(name: "m\($0.offset)", alias: UInt64($0.offset), value: $0.element, properties: properties) }
        return [
            (.nbirth, SparkplugPayload.nodeBirth(bdSeq: 3, timestamp: 1, metrics: metrics).encoded()),
            (.dbirth, SparkplugPayload.deviceBirth(seq: 1, timestamp: 1, metrics: metrics).encoded()),
            (.ddata, SparkplugPayload.data(seq: 2, timestamp: 1, metrics: metrics).encoded()),
            (.ndeath, SparkplugPayload.nodeDeath(bdSeq: 3, timestamp: 1).encoded()),
            (.ddeath, SparkplugPayload.deviceDeath(seq: 4, timestamp: 1).encoded()),
            (.ncmd, SparkplugPayload.rebirthRequest(timestamp: 1).encoded()),
        ]
    }

    /// Decodes `bytes` as every verb and through a host session; only ``SparkplugError`` may come out.
    static func exercise(_ bytes: [UInt8], host: inout HostSession, now: UInt64) {
        for verb in SparkplugVerb.allCases {
            _ = try? SparkplugPayload(decoding: bytes, as: verb) { _, alias in alias.map { SparkplugDataType(rawValue: UInt32($0 % 35)) } ?? nil }
            let topic: SparkplugTopic = verb.isDeviceVerb ? .device(verb, Fixture.device) : .node(verb, Fixture.node)
            _ = host.handle(.received(topic: topic.description, payload: bytes, now: now))
        }
        _ = try? HostState(decoding: bytes)
    }

    @Test("Random bytes never crash the decoder or the host", .cpuBound)
    func randomBytes() {
        var random = SplitMix64(seed: 0x5BB1_0001)
        var host = HostSession(configuration: try! .init(hostID: "fuzz"))
        var refused = 0
        for round in 0..<2_000 {
            let count = Int(random.next() % 96)
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if (try? SparkplugPayload(decoding: bytes)) == nil { refused += 1 }
            Self.exercise(bytes, host: &host, now: UInt64(round) * 100)
        }
        #expect(refused > 500)
    }

    @Test("Mutations of valid payloads never crash the decoder or the host", .cpuBound)
    func mutations() {
        var random = SplitMix64(seed: 0x5BB1_0002)
        var host = HostSession(configuration: try! .init(hostID: "fuzz"))
        let seeds = Self.seeds
        var decoded = 0
        for round in 0..<2_500 {
            var bytes = seeds[Int(random.next() % UInt64(seeds.count))].1
            for _ in 0...(random.next() % 4) {
                let position = Int(random.next() % UInt64(max(bytes.count, 1)))
                switch random.next() % 4 {
                case 0 where !bytes.isEmpty: bytes[position] = UInt8(truncatingIfNeeded: random.next())
                case 1 where !bytes.isEmpty: bytes.removeSubrange(position...)
                case 2: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: min(position, bytes.count))
                default: if !bytes.isEmpty { bytes[position] ^= 1 << UInt8(random.next() % 8) }
                }
            }
            if (try? SparkplugPayload(decoding: bytes)) != nil { decoded += 1 }
            // The host's quick look at seq (top-level fields only: a damaged metric is the full decoder's to refuse)
            // agrees with the full decoder on every payload both read.
            if let scanned = SparkplugPayload.scanSequenceNumber(bytes), let full = try? ProtoPayload(serializedBytes: bytes) {
                #expect(full.hasSeq && full.seq == scanned, "\(bytes)")
            }
            Self.exercise(bytes, host: &host, now: UInt64(round) * 50)
        }
        // Some mutants still decode, some do not: both paths ran.
        #expect(decoded > 100 && decoded < 2_500)
    }

    @Test("Random topics are parsed or refused, never fatal")
    func topics() throws {
        var random = SplitMix64(seed: 0x5BB1_0003)
        let pieces = ["spBv1.0", "STATE", "NBIRTH", "DDATA", "g", "n", "d", "+", "#", "", "/", "spBv1.0/", "x/y"]
        var parsed = 0
        for _ in 0..<2_000 {
            let topic = (0..<Int(random.next() % 7)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined(separator: "/")
            if let parsedTopic = try? SparkplugTopic(parsing: topic) {
                parsed += 1
                #expect(try SparkplugTopic(parsing: parsedTopic.description) == parsedTopic)
            }
        }
        #expect(parsed > 0)
    }
}
