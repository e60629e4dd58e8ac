import Testing
@testable import TwinHubMQTT

@Suite("Topic names and filters")
struct TopicTests {
    @Test("Valid topic names pass", arguments: ["a", "a/b/c", "/leading", "trailing/", "a//b", "$SYS/broker", "ümlaut/温度", " "])
    func validNames(_ name: String) throws {
        try Topic.validateName(name)
    }

    @Test("Invalid topic names fail with the reason", arguments: [
        ("", "must not be empty"), ("a/+/b", "wildcard '+' at column 3"), ("a/#", "wildcard '#' at column 3"),
        ("x\u{0}y", "NUL (column 2)"),
    ])
    func invalidNames(_ name: String, _ reason: String) {
        let error = #expect(throws: MQTTError.self) { try Topic.validateName(name) }
        #expect(error?.code == .invalidTopic)
        #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "")")
    }

    @Test("An oversized topic fails")
    func oversized() {
        let error = #expect(throws: MQTTError.self) { try Topic.validateName(String(repeating: "a", count: 65_536)) }
        #expect(error?.reason.contains("65535 bytes") == true)
    }

    @Test("Valid filters pass", arguments: ["#", "+", "a/#", "a/+/c", "+/+/+", "a/+", "$share/group/a/#", "$share/g/+", "/#"])
    func validFilters(_ filter: String) throws {
        try Topic.validateFilter(filter)
    }

    @Test("Invalid filters fail", arguments: ["", "a/#/b", "a#", "a/b#", "a+/b", "a/+b", "$share/g", "$share//a", "$share/g+/a", "$share/g/a/#/x"])
    func invalidFilters(_ filter: String) {
        let error = #expect(throws: MQTTError.self) { try Topic.validateFilter(filter) }
        #expect(error?.code == .invalidFilter)
    }

    @Test("Matching follows MQTT's rules", arguments: [
        ("a/b/c", "a/b/c", true), ("a/b/c", "a/b", false), ("a/b", "a/b/c", false),
        ("a/+/c", "a/b/c", true), ("a/+/c", "a/b/d", false), ("a/+", "a/", true), ("+", "a", true), ("+", "a/b", false),
        ("a/#", "a", true), ("a/#", "a/b/c", true), ("a/#", "ab", false), ("#", "a/b", true), ("#", "/", true),
        ("+/+", "/x", true), ("/+", "/x", true), ("+", "/x", false),
        ("#", "$SYS/broker", false), ("+/broker", "$SYS/broker", false), ("$SYS/#", "$SYS/broker", true),
        ("$share/g/a/+", "a/b", true), ("$share/g/a/+", "b/b", false), ("$share/g/#", "x/y", true),
        ("a/b", "A/b", false),
    ])
    func matching(filter: String, topic: String, expected: Bool) {
        #expect(Topic.matches(filter: filter, topic: topic) == expected, "\(filter) vs \(topic)")
    }

    @Test("A shared filter splits into group and filter")
    func sharedGroup() {
        #expect(Topic.sharedGroup(of: "$share/ingest/plant/#")! == ("ingest", "plant/#"))
        #expect(Topic.sharedGroup(of: "plant/#") == nil)
    }
}
