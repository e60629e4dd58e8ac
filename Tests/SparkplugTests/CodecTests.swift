import Foundation
import Testing
@testable import SparkplugB

@Suite("Sparkplug B payload codec")
struct CodecTests {
    static let values: [SparkplugValue] = [
        .int8(-1), .int8(.min), .int8(.max), .int16(-30_000), .int32(-1), .int32(.min), .int64(.min), .int64(9_000_000_000),
        .uint8(255), .uint16(65_535), .uint32(.max), .uint64(.max), .float(1.5), .float(-.infinity), .double(-2.25),
        .double(.greatestFiniteMagnitude), .boolean(true), .boolean(false), .string("Grüße"), .string(""),
        .dateTime(1_700_000_000_123), .text("long\ntext"), .uuid("123e4567-e89b-12d3-a456-426614174000"),
        .bytes([0, 1, 255]), .file([1, 2, 3]), .array(.int32Array, [0x15, 0xCD, 0x5B, 0x07, 0xB1, 0x68, 0xDE, 0x3A]),
        .array(.booleanArray, [12, 0, 0, 0, 0x34, 0xD0]),
    ]

    @Test("Every data type's value survives encoding in a birth and in a data message", arguments: values)
    func everyDataType(value: SparkplugValue) throws {
        let metric = SparkplugMetric(name: "m", alias: 7, value: value)
        let birth = SparkplugPayload.deviceBirth(seq: 1, timestamp: Fixture.t0, metrics: [metric])
        let readBirth = try SparkplugPayload(decoding: birth.encoded(), as: .dbirth)
        #expect(readBirth.metrics.first?.value == value)
        #expect(readBirth.metrics.first?.dataType == value.dataType)

        let data = SparkplugPayload.data(seq: 2, timestamp: Fixture.t0, metrics: [metric])
        let readData = try SparkplugPayload(decoding: data.encoded(), as: .ddata) { _, alias in alias == 7 ? value.dataType : nil }
        #expect(readData.metrics.first?.value == value)
        #expect(readData.metrics.first?.name == nil)
    }

    @Test("Negative Int8 and Int16 go in their own width, and sign-extended ones read too")
    func narrowSignedIntegers() throws {
        let payload = SparkplugPayload.deviceBirth(seq: 0, timestamp: 1, metrics: [SparkplugMetric(name: "a", value: .int8(-1)),
                                                                                  SparkplugMetric(name: "b", value: .int16(-2))])
        let proto = try ProtoPayload(serializedBytes: payload.encoded())
        #expect(proto.metrics.map(\.intValue) == [255, 65_534])

        var extended = proto
        extended.metrics[0].intValue = 0xFFFF_FFFF
        extended.metrics[1].intValue = 0xFFFF_FFFE
        let read = try SparkplugPayload(decoding: try extended.serializedBytes(), as: .dbirth)
        #expect(read.metrics.map(\.value) == [.int8(-1), .int16(-2)])
    }

    @Test("An NBIRTH carries seq 0, bdSeq as Int64 and Node Control/Rebirth false, then the node's metrics")
    func nodeBirth() throws {
        let metric = SparkplugMetric(name: "Uptime", alias: 1, value: .int64(5))
        let read = try SparkplugPayload(decoding: SparkplugPayload.nodeBirth(bdSeq: 7, timestamp: Fixture.t0, metrics: [metric]).encoded(), as: .nbirth)
        #expect(read.seq == 0)
        #expect(read.timestamp == Fixture.t0)
        #expect(try read.birthDeathSequence(.nbirth) == 7)
        #expect(read.metrics.map(\.name) == ["bdSeq", "Node Control/Rebirth", "Uptime"])
        #expect(read.metrics[0].dataType == .int64)
        #expect(read.metrics[1] == SparkplugMetric(name: "Node Control/Rebirth", dataType: .boolean, value: .boolean(false), timestamp: Fixture.t0))
        #expect(read.metrics[1].alias == nil)
        #expect(read.metrics.allSatisfy { $0.timestamp == Fixture.t0 })
    }

    @Test("A DBIRTH keeps every metric's name, alias, datatype, properties and null")
    func deviceBirth() throws {
        var properties = SparkplugPropertySet()
        properties.engineeringUnit = "°C"
        properties.engineeringRange = -20...120
        properties["Quality"] = .value(.int32(192))
        properties["nested"] = .set(SparkplugPropertySet([("a", .null(.string))]))
        properties["list"] = .list([SparkplugPropertySet([("b", .value(.boolean(true)))])])
        let metrics = [
            SparkplugMetric(name: "temperature", alias: 3, dataType: .double, value: .double(21.5), properties: properties),
            SparkplugMetric(name: "unset", alias: 4, dataType: .float, value: nil),
        ]
        let read = try SparkplugPayload(decoding: SparkplugPayload.deviceBirth(seq: 9, timestamp: Fixture.t0, metrics: metrics).encoded(), as: .dbirth)
        #expect(read.seq == 9)
        #expect(read.metrics[0].properties == properties)
        #expect(read.metrics[0].properties.engineeringUnit == "°C")
        #expect(read.metrics[0].properties.engineeringRange == -20...120)
        #expect(read.metrics[1].isNull)
        #expect(read.metrics[1].dataType == .float)
        #expect(read.metrics.map(\.alias) == [3, 4])
    }

    @Test("Data messages carry aliases only; an NDEATH only bdSeq and no seq; a DDEATH a seq and no metrics")
    func slimMessages() throws {
        let data = try ProtoPayload(serializedBytes: SparkplugPayload.data(seq: 3, timestamp: 1, metrics: [
            SparkplugMetric(name: "x", alias: 2, dataType: .double, value: .double(1), properties: SparkplugPropertySet([("engUnit", .value(.string("m")))])),
        ]).encoded())
        #expect(!data.metrics[0].hasName && !data.metrics[0].hasDatatype && !data.metrics[0].hasProperties)
        #expect(data.metrics[0].alias == 2)

        let death = try SparkplugPayload(decoding: SparkplugPayload.nodeDeath(bdSeq: 255).encoded(), as: .ndeath)
        #expect(death.seq == nil)
        #expect(death.metrics.count == 1)
        #expect(try death.birthDeathSequence(.ndeath) == 255)

        let deviceDeath = try SparkplugPayload(decoding: SparkplugPayload.deviceDeath(seq: 4, timestamp: 2).encoded(), as: .ddeath)
        #expect(deviceDeath.seq == 4 && deviceDeath.metrics.isEmpty)
    }

    @Test("Commands: a rebirth request, and device writes by name, without seq")
    func commands() throws {
        let rebirth = try SparkplugPayload(decoding: SparkplugPayload.rebirthRequest(timestamp: 5).encoded(), as: .ncmd)
        #expect(rebirth.isRebirthRequest)
        #expect(rebirth.seq == nil)
        let write = SparkplugPayload.command(timestamp: 5, metrics: [SparkplugMetric(name: "speed_factor", value: .double(0.8))])
        let read = try SparkplugPayload(decoding: write.encoded(), as: .dcmd)
        #expect(read.metrics == write.metrics)
        #expect(!read.isRebirthRequest)
    }

    @Test("A STATE payload is JSON with online and timestamp")
    func state() throws {
        let state = HostState(online: true, timestamp: Fixture.t0)
        #expect(String(decoding: state.encoded(), as: UTF8.self) == #"{"online":true,"timestamp":1700000000000}"#)
        #expect(try HostState(decoding: state.encoded()) == state)
        for bad in [#"{"online":"yes","timestamp":1}"#, #"{"online":true}"#, #"{"online":true,"timestamp":-1}"#,
                    #"{"online":true,"timestamp":1.5}"#, "online"] {
            #expect(throws: SparkplugError.self) { try HostState(decoding: Array(bad.utf8)) }
        }
    }

    @Test("Payloads that break the rules are refused with the reason", arguments: Self.badPayloads)
    func refused(bad: BadPayload) throws {
        #expect {
            _ = try SparkplugPayload(decoding: try bad.bytes(), as: bad.verb)
        } throws: { error in
            guard let error = error as? SparkplugError else { return false }
            return error.code == bad.code && error.reason.contains(bad.fragment)
        }
    }

    struct BadPayload: Sendable, CustomTestStringConvertible {
        var verb: SparkplugVerb
        var code: SparkplugError.Code
        var fragment: String
        var edit: @Sendable (inout ProtoPayload) -> Void

        func bytes() throws -> [UInt8] {
            var proto = ProtoPayload.raw(metrics: [.raw("m", .double) { $0.doubleValue = 1 }])
            edit(&proto)
            return try proto.serializedBytes()
        }

        var testDescription: String { "\(verb) \(code): \(fragment)" }
    }

    static let badPayloads: [BadPayload] = [
        BadPayload(verb: .ndata, code: .missingField, fragment: "no seq") { $0.clearSeq() },
        BadPayload(verb: .ddata, code: .invalidValue, fragment: "300") { $0.seq = 300 },
        BadPayload(verb: .dbirth, code: .missingField, fragment: "no timestamp") { $0.clearTimestamp() },
        BadPayload(verb: .nbirth, code: .missingField, fragment: "'bdSeq'") { _ in },
        BadPayload(verb: .ndeath, code: .wrongType, fragment: "'bdSeq' is a String") {
            $0.metrics[0].name = "bdSeq"; $0.metrics[0].datatype = SparkplugDataType.string.rawValue; $0.metrics[0].stringValue = "1"
        },
        BadPayload(verb: .dbirth, code: .wrongType, fragment: "metric 'm': a Double value cannot be in int_value") { $0.metrics[0].intValue = 1 },
        BadPayload(verb: .dbirth, code: .wrongType, fragment: "datatype 99") { $0.metrics[0].datatype = 99 },
        BadPayload(verb: .dbirth, code: .missingField, fragment: "metric with alias 4 has no name") { $0.metrics[0].clearName(); $0.metrics[0].alias = 4 },
        BadPayload(verb: .dbirth, code: .missingField, fragment: "metric 'm' has a value but no datatype") { $0.metrics[0].clearDatatype() },
        BadPayload(verb: .dbirth, code: .missingField, fragment: "metric 'm' has no datatype") { $0.metrics[0].clearDatatype(); $0.metrics[0].isNull = true },
        BadPayload(verb: .ddata, code: .missingField, fragment: "no datatype, and none is known") { $0.metrics[0].clearDatatype() },
        BadPayload(verb: .dbirth, code: .invalidValue, fragment: "does not fit UInt8") {
            $0.metrics[0].datatype = SparkplugDataType.uint8.rawValue; $0.metrics[0].intValue = 256
        },
        BadPayload(verb: .dbirth, code: .invalidValue, fragment: "2 keys and 1 values") {
            $0.metrics[0].properties.keys = ["a", "b"]; $0.metrics[0].properties.values = [ProtoPropertyValue()]
        },
        BadPayload(verb: .dbirth, code: .wrongType, fragment: "property 'a': a Int32 value cannot be in string_value") {
            var value = ProtoPropertyValue(); value.type = 3; value.stringValue = "x"
            $0.metrics[0].properties.keys = ["a"]; $0.metrics[0].properties.values = [value]
        },
    ]

    @Test("Bytes that are not a protobuf payload are refused as malformed")
    func malformed() {
        #expect {
            _ = try SparkplugPayload(decoding: [0x12, 0x05, 0x0A], as: .ndata)
        } throws: { ($0 as? SparkplugError)?.code == .malformedPayload }
    }

    @Test("Metrics from other writers: no value and no is_null reads as null; property types may be left out")
    func lenient() throws {
        var untyped = ProtoPropertyValue()
        untyped.doubleValue = 4
        let proto = ProtoPayload.raw(seq: 0, metrics: [
            .raw("bdSeq", .uint64) { $0.longValue = 2 },
            .raw("empty", .string) { $0.properties.keys = ["engHigh"]; $0.properties.values = [untyped] },
        ])
        let read = try SparkplugPayload(decoding: try proto.serializedBytes(), as: .nbirth)
        #expect(try read.birthDeathSequence(.nbirth) == 2)
        #expect(read.metrics[1].isNull)
        #expect(read.metrics[1].properties["engHigh"] == .value(.double(4)))
    }
}
