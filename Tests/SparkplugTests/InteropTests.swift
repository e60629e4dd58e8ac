import Foundation
import Testing
@testable import SparkplugB

/// Payloads of pysparkplug 0.6.1 (an independent Python implementation; see Fixtures/README.md) read by our decoder,
/// and ours read by it.
@Suite("Interop with pysparkplug")
struct InteropTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func fixture(_ name: String) throws -> [UInt8] {
        let text = try String(contentsOf: fixtures.appendingPathComponent("\(name).hex"), encoding: .utf8)
        return try hexBytes(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func hexBytes(_ text: String) throws -> [UInt8] {
        let digits = Array(text.utf8)
        try #require(digits.count % 2 == 0)
        return try stride(from: 0, to: digits.count, by: 2).map { index in
            try #require(UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16))
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    @Test("pysparkplug's NBIRTH reads with bdSeq, seq 0 and every typed metric")
    func nodeBirth() throws {
        let birth = try SparkplugPayload(decoding: try Self.fixture("nbirth"), as: .nbirth)
        #expect(birth.seq == 0)
        #expect(birth.timestamp == 1_700_000_000_000)
        #expect(try birth.birthDeathSequence(.nbirth) == 3)
        #expect(birth.metric(named: "Node Control/Rebirth")?.value == .boolean(false))
        let expected: [String: SparkplugValue?] = [
            "Int8": .int8(-5), "Int16": .int16(-30_000), "Int32": .int32(-123_456), "Int64": .int64(-9_000_000_000),
            "UInt8": .uint8(250), "UInt16": .uint16(65_000), "UInt32": .uint32(4_000_000_000), "UInt64": .uint64(18_000_000_000_000_000_000),
            "Float": .float(1.5), "Double": .double(-2.25), "Boolean": .boolean(true), "String": .string("Grüße"),
            "DateTime": .dateTime(1_600_000_000_250), "Text": .text("long text"), "UUID": .uuid("123e4567-e89b-12d3-a456-426614174000"),
            "Bytes": .bytes([0, 1, 255]), "Int32Array": .array(.int32Array, [0x15, 0xCD, 0x5B, 0x07, 0xFF, 0xFF, 0xFF, 0xFF]),
            "Null": .none,
        ]
        for (name, value) in expected {
            let metric = try #require(birth.metric(named: name), "\(name)")
            #expect(metric.value == value, "\(name)")
            #expect(metric.alias != nil, "\(name)")
        }
        #expect(birth.metric(named: "Null")?.dataType == .double)
    }

    @Test("pysparkplug's DBIRTH with properties, DDATA by alias and NDEATH feed a host session")
    func hostReadsForeignNode() throws {
        var host = HostSession(configuration: try .init(hostID: "twinhub"))
        _ = host.handle(.received(topic: "spBv1.0/plant1/NBIRTH/assembly:line1", payload: try Self.fixture("nbirth"), now: 1))
        let birth = host.handle(.received(topic: "spBv1.0/plant1/DBIRTH/assembly:line1/cnc1", payload: try Self.fixture("dbirth"), now: 2))
        #expect(birth == [.online(.device(Fixture.device), metrics: [
            HostSession.MetricUpdate(name: "spindle_speed", value: .double(12_000.5), dataType: .double, unit: "rpm", timestamp: 1_700_000_000_000),
            HostSession.MetricUpdate(name: "State", value: .string("running"), dataType: .string, unit: nil, timestamp: 1_700_000_000_000),
        ])])
        let dbirth = try SparkplugPayload(decoding: try Self.fixture("dbirth"), as: .dbirth)
        #expect(dbirth.metric(named: "spindle_speed")?.properties.engineeringRange == 0...24_000)

        let data = host.handle(.received(topic: "spBv1.0/plant1/DDATA/assembly:line1/cnc1", payload: try Self.fixture("ddata"), now: 3))
        #expect(data == [.updated(.device(Fixture.device), [
            HostSession.MetricUpdate(name: "spindle_speed", value: .double(11_999), dataType: .double, unit: "rpm", timestamp: 1_700_000_001_000),
            HostSession.MetricUpdate(name: "State", value: .string("held"), dataType: .string, unit: nil, timestamp: 1_700_000_001_000),
        ])])
        let death = host.handle(.received(topic: "spBv1.0/plant1/NDEATH/assembly:line1", payload: try Self.fixture("ndeath"), now: 4))
        #expect(death.count == 2)
        #expect(death.first == .offline(.node(Fixture.node), at: 4, staleMetrics: [
            "bdSeq", "Node Control/Rebirth", "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64", "Float", "Double",
            "Boolean", "String", "DateTime", "Text", "UUID", "Bytes", "Int32Array", "Null",
        ]))
    }

    static var pysparkplugInstalled: Bool {
        (try? python(["-c", "import pysparkplug"]))?.status == 0
    }

    static func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        // A file, not a pipe: a pipe reaches EOF only once every process holding its write end closes it, and a
        // process spawned meanwhile by a concurrent test inherits it.
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("twinhub-pysparkplug-\(UUID().uuidString.prefix(8)).out")
        defer { try? FileManager.default.removeItem(at: log) }
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        defer { try? output.close() }
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    static func decodedByPysparkplug(_ verb: SparkplugVerb, _ bytes: [UInt8], birth: [UInt8]? = nil) throws -> [String: Any] {
        let script = fixtures.appendingPathComponent("decode_with_pysparkplug.py").path
        let result = try python([script, verb.rawValue, hex(bytes)] + (birth.map { [hex($0)] } ?? []))
        try #require(result.status == 0, "pysparkplug could not decode our \(verb)")
        let json = try JSONSerialization.jsonObject(with: Data(result.output.utf8))
        return try #require(json as? [String: Any])
    }

    @Test("pysparkplug reads what our edge node session publishes", .enabled(if: pysparkplugInstalled, "python3 cannot import pysparkplug"))
    func pysparkplugReadsOurs() throws {
        var edge = EdgeNodeSession(configuration: .init(node: Fixture.node))
        var metrics = Fixture.deviceMetrics
        metrics.append(SparkplugMetricDefinition(name: "small", dataType: .int8, value: .int8(-3)))
        _ = edge.handle(.deviceOnline(deviceID: "cnc1", metrics: metrics, now: Fixture.t0))
        guard case .connect(let will)? = edge.handle(.connecting(now: Fixture.t0)).first else { Issue.record("no will"); return }
        let births = edge.handle(.connected(now: Fixture.t0)).publications
        let data = edge.handle(.deviceValues(deviceID: "cnc1", [SparkplugMetricUpdate(name: "spindle_speed", value: .double(9_000.25))], now: Fixture.t0 + 1)).publications

        let nbirth = try Self.decodedByPysparkplug(.nbirth, births[0].payload)
        let nbirthMetrics = try #require(nbirth["metrics"] as? [[String: Any]])
        #expect(nbirth["seq"] as? Int == 0)
        #expect(nbirthMetrics.map { $0["name"] as? String } == ["bdSeq", "Node Control/Rebirth"])
        #expect(nbirthMetrics.map { $0["datatype"] as? String } == ["INT64", "BOOLEAN"])

        let dbirth = try Self.decodedByPysparkplug(.dbirth, births[1].payload)
        let dbirthMetrics = try #require(dbirth["metrics"] as? [[String: Any]])
        #expect(dbirthMetrics.map { $0["name"] as? String } == ["spindle_speed", "State", "parts", "small"])
        #expect(dbirthMetrics.last?["value"] as? Int == -3)

        let ddata = try Self.decodedByPysparkplug(.ddata, data[0].payload, birth: births[1].payload)
        let ddataMetrics = try #require(ddata["metrics"] as? [[String: Any]])
        #expect(ddata["seq"] as? Int == 2)
        #expect(ddataMetrics.map { $0["name"] as? String } == ["spindle_speed"])
        #expect(ddataMetrics.first?["value"] as? Double == 9_000.25)

        let ndeath = try Self.decodedByPysparkplug(.ndeath, will.payload)
        let ndeathMetrics = try #require(ndeath["metrics"] as? [[String: Any]])
        #expect(ndeathMetrics.first?["value"] as? Int == 0)
        #expect(ndeath["seq"] is NSNull)
    }
}
