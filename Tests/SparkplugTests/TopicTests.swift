import Testing
@testable import SparkplugB

@Suite("Sparkplug topics")
struct TopicTests {
    @Test("Every node and device verb formats and parses back", arguments: SparkplugVerb.allCases)
    func roundTrip(verb: SparkplugVerb) throws {
        let topic: SparkplugTopic = verb.isDeviceVerb ? .device(verb, Fixture.device) : .node(verb, Fixture.node)
        let expected = verb.isDeviceVerb ? "spBv1.0/plant1/\(verb.rawValue)/assembly:line1/cnc1" : "spBv1.0/plant1/\(verb.rawValue)/assembly:line1"
        #expect(topic.description == expected)
        #expect(try SparkplugTopic(parsing: expected) == topic)
        #expect(topic.edgeNode == Fixture.node)
    }

    @Test("A STATE topic names the host")
    func state() throws {
        #expect(try SparkplugTopic.state(of: "scada").description == "spBv1.0/STATE/scada")
        #expect(try SparkplugTopic(parsing: "spBv1.0/STATE/scada") == .state(hostID: "scada"))
        #expect(SparkplugTopic.state(hostID: "scada").verb == nil)
    }

    @Test("Bad topics are refused with what is wrong and where", arguments: [
        ("spAv1.0/g/NBIRTH/n", SparkplugError.Code.invalidTopic, "level 1"),
        ("spBv1.0/g", .invalidTopic, "2 levels"),
        ("spBv1.0/g/NBIRTH", .invalidTopic, "3 to 5"),
        ("spBv1.0/g/NBIRTH/n/d/e", .invalidTopic, "6 levels"),
        ("spBv1.0/g/NBORTH/n", .invalidTopic, "level 3 'NBORTH'"),
        ("spBv1.0/g/DDATA/n", .invalidTopic, "needs a device id"),
        ("spBv1.0/g/NDATA/n/d", .invalidTopic, "no device level"),
        ("spBv1.0/STATE/a/b", .invalidTopic, "STATE topic"),
        ("spBv1.0/g+/NDATA/n", .invalidID, "group id (level 2"),
        ("spBv1.0/g/NDATA/#", .invalidID, "edge node id (level 4"),
        ("spBv1.0/g/NDATA/", .invalidID, "edge node id (level 4"),
        ("spBv1.0/g/DDATA/n/", .invalidID, "device id (level 5"),
        ("spBv1.0/STATE/", .invalidID, "host id"),
    ])
    func refused(topic: String, code: SparkplugError.Code, fragment: String) {
        #expect {
            _ = try SparkplugTopic(parsing: topic)
        } throws: { error in
            guard let error = error as? SparkplugError else { return false }
            return error.code == code && error.reason.contains(fragment)
        }
    }

    @Test("Ids with '/', '+' or '#' or empty ones are refused")
    func ids() {
        for bad in ["a/b", "a+", "#", ""] {
            #expect(throws: SparkplugError.self) { try EdgeNodeDescriptor(groupID: bad, edgeNodeID: "n") }
            #expect(throws: SparkplugError.self) { try EdgeNodeDescriptor(groupID: "g", edgeNodeID: bad) }
            #expect(throws: SparkplugError.self) { try DeviceDescriptor(node: Fixture.node, deviceID: bad) }
            #expect(throws: SparkplugError.self) { try SparkplugTopic.state(of: bad) }
        }
    }
}
