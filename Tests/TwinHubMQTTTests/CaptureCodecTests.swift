import Foundation
import Testing
import TwinHubMQTT

@Suite("Capture files of twinhub record and replay")
struct CaptureCodecTests {
    @Test("A message line reads back as written: text and binary payloads, QoS, retain, MQTT 5 properties, the offset to the microsecond")
    func roundTrip() throws {
        let messages = [
            CapturedMessage(offset: 0, topic: "acme/leuven/line-1/cnc-01/state", payload: Array(#"{"state":"running"}"#.utf8), qos: .atLeastOnce, retain: true),
            CapturedMessage(offset: 1.2345678, topic: "spBv1.0/leuven/DDATA/line-1/cnc-01", payload: [0x08, 0x00, 0xFF, 0x12], qos: .atMostOnce, retain: false),
            CapturedMessage(offset: 2.5, topic: "acme/x", payload: [], qos: .exactlyOnce, retain: false,
                            properties: PublishProperties(messageExpiry: 60, contentType: "application/json", userProperties: [.init("a", "1"), .init("a", "2")])),
        ]
        for (index, message) in messages.enumerated() {
            let line = CaptureCodec.line(message)
            #expect(!line.contains("\n"))
            var expected = message
            expected.offset = (message.offset * 1_000_000).rounded() / 1_000_000
            #expect(try CaptureCodec.message(Substring(line), line: index + 2) == expected, "\(line)")
        }
        #expect(CaptureCodec.line(messages[1]).contains(#""payload_base64":"CAD/Eg==""#), "a payload that is not UTF-8 is base64")
    }

    @Test("The header says what the file is, when it began (UTC, to the millisecond), where and what from")
    func header() throws {
        let started = Date(timeIntervalSince1970: 1_772_431_200.125)
        let line = CaptureCodec.line(CaptureHeader(started: started, broker: "mqtt://b:1883", filters: ["acme/#", "spBv1.0/#"]))
        #expect(line.contains(#""started":"2026-03-02T06:00:00.125Z""#), "\(line)")
        let header = try CaptureCodec.header(Substring(line))
        #expect(abs(header.started.timeIntervalSince(started)) < 0.001)
        #expect(header.broker == "mqtt://b:1883" && header.filters == ["acme/#", "spBv1.0/#"])
    }

    @Test("A line that cannot be read says which line and why", arguments: [
        (#"{"t":1,"topic":"a","qos":1,"retain":false}"#, "give \"payload\""),
        (#"{"t":-1,"topic":"a","qos":1,"retain":false,"payload":""}"#, "\"t\" must be"),
        (#"{"t":1,"topic":"a/+","qos":1,"retain":false,"payload":""}"#, "wildcard"),
        (#"{"t":1,"topic":"a","qos":3,"retain":false,"payload":""}"#, "\"qos\" must be 0, 1 or 2"),
        (#"{"t":1,"topic":"a","qos":1,"retain":"no","payload":""}"#, "\"retain\" must be"),
        (#"{"t":1,"topic":"a","qos":1,"retain":false,"payload_base64":"%%"}"#, "not base64"),
        (#"{"t":1,"topic":"a""#, "not JSON"),
        (#"[1,2]"#, "not a JSON object"),
    ])
    func badLines(line: String, reason: String) {
        let error = #expect(throws: CaptureError.self) { try CaptureCodec.message(Substring(line), line: 7) }
        #expect(error?.line == 7)
        #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "")")
    }

    @Test("A file that is not a capture, or of a later version, is refused at line 1")
    func badHeaders() {
        let other = #expect(throws: CaptureError.self) { try CaptureCodec.header(#"{"topic":"a","payload":"x"}"#) }
        #expect(other?.reason.contains("not a TwinHub capture") == true)
        let later = #expect(throws: CaptureError.self) {
            try CaptureCodec.header(#"{"format":"twinhub-capture","version":9,"started":"2026-03-02T06:00:00.000Z"}"#)
        }
        #expect(later?.reason.contains("newer") == true)
    }

    @Test("A remap replaces whole leading levels; the first that applies wins; a bad one says why")
    func remaps() throws {
        let remaps = [try TopicRemap("acme=lab"), try TopicRemap("spBv1.0/leuven=spBv1.0/test"), try TopicRemap("acme/leuven=never")]
        #expect(TopicRemap.apply(remaps, to: "acme/leuven/line-1/cnc-01/telemetry") == "lab/leuven/line-1/cnc-01/telemetry")
        #expect(TopicRemap.apply(remaps, to: "acme") == "lab")
        #expect(TopicRemap.apply(remaps, to: "acmex/a") == "acmex/a", "a prefix ends at a level")
        #expect(TopicRemap.apply(remaps, to: "spBv1.0/leuven/NDATA/line-1") == "spBv1.0/test/NDATA/line-1")
        for bad in ["acme", "=lab", "acme=", "acme/=lab", "a/#=b"] {
            #expect(throws: MQTTError.self, "\(bad)") { try TopicRemap(bad) }
        }
    }
}
