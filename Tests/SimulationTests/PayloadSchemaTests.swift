import Foundation
import Testing
@testable import Simulation
import TwinModel
import TwinHubProtocol

/// Commands and topics as the simulator reads them. The payloads' JSON Schemas (`schemas/`) are checked in
/// TwinHubProtocolTests, with a validator that knows every keyword they use, against every message type.
@Suite("Command payloads and the topic map")
struct PayloadSchemaTests {
    @Test("Bad command payloads are refused with the reason", arguments: [
        ("{not json", "expected a key in quotes (at byte 1)"), ("[1]", "must be a JSON object"), (#"{"fault":"x"}"#, "missing \"command\""),
        (#"{"command":"explode"}"#, "unknown command 'explode'"), (#"{"command":"set_speed","value":"fast"}"#, "\"value\" must be a finite number"),
        (#"{"command":"inject_fault","fault":7}"#, "\"fault\" must be a string"), (#"{"command":"inject_fault","duration":"soon"}"#, "\"duration\" must be"),
        (#"{"command":"stop","value":true}"#, "\"value\" must be a finite number"),
        (#"{"command":"inject_fault","fault":"coolant_loss","duration":1e21}"#, "\"duration\" must be seconds (0 to 1e9)"),
        (#"{"command":"inject_fault","duration":-5}"#, "\"duration\" must be"),
    ])
    func badCommands(text: String, reason: String) {
        let error = #expect(throws: PayloadError.self) { try JSONCodec.decodeCommand(Array(text.utf8)) }
        #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "")")
        #expect(throws: PayloadError.self) { try JSONCodec.decodeCommand(Array(repeating: 32, count: 5000)) }
    }

    @Test("The topic map builds and reads machine topics")
    func topicMap() throws {
        let map = try TopicMap(root: "acme")
        let path = PlantPath(site: "leuven", area: "fab", line: "l1", machine: "laser-01")
        #expect(map.topic(.telemetry, for: path) == "acme/leuven/fab/l1/laser-01/telemetry")
        #expect(map.filter(.status) == "acme/+/+/+/+/status")
        #expect(map.machineTopic(of: "acme/leuven/fab/l1/laser-01/cmd") == .init(machine: path, channel: .cmd))
        #expect(map.machineTopic(of: "acme/leuven/fab/l1/laser-01/other") == nil)
        #expect(map.machineTopic(of: "other/leuven/fab/l1/laser-01/cmd") == nil)
        #expect(map.machineTopic(of: "acme/leuven/fab/laser-01/cmd") == nil)
        // Read byte by byte: the root whole, then exactly five non-empty levels.
        for bad in ["acme", "acme/", "acmex/leuven/fab/l1/laser-01/cmd", "acme/leuven/fab/l1/laser-01/cmd/", "acme/leuven//l1/laser-01/cmd",
                    "acme/leuven/fab/l1/laser-01/cmd/extra", "/acme/leuven/fab/l1/laser-01/cmd", "acme/leuven/fab/l1/laser-01/alert/x"] {
            #expect(map.machineTopic(of: bad) == nil, "\(bad)")
        }
        #expect(map.machineTopic(of: "acme/Lëuven/fåb/l1/läser 01/state")
                == .init(machine: PlantPath(site: "Lëuven", area: "fåb", line: "l1", machine: "läser 01"), channel: .state))
        let nested = try TopicMap(root: "acme/plants")
        #expect(nested.machineTopic(of: "acme/plants/leuven/fab/l1/laser-01/telemetry")?.machine.name == "laser-01")
        #expect(nested.machineTopic(of: "acme/leuven/fab/l1/laser-01/telemetry") == nil)
        for bad in ["", "a/+", "#", "a//b", "$SYS"] { #expect(throws: TopicMapError.self) { try TopicMap(root: bad) } }
    }
}
