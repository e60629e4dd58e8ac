import Foundation
import Testing
@testable import Simulation
import TwinModel
import TwinHubProtocol

/// Checks JSON against the subset of JSON Schema that schemas/*.schema.json use: type, required,
/// properties, additionalProperties, enum, minimum, maximum, exclusiveMinimum, pattern.
struct SchemaChecker {
    let schema: [String: Any]

    init(file: String) throws {
        let url = Fixtures.root.appendingPathComponent("schemas").appendingPathComponent(file)
        schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    func problems(_ bytes: [UInt8]) -> [String] {
        guard let value = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else { return ["not JSON"] }
        return check(value, against: schema, at: "$")
    }

    private func check(_ value: Any, against schema: [String: Any], at path: String) -> [String] {
        var problems: [String] = []
        if let types = schema["type"] {
            let allowed = (types as? [String]) ?? [types as? String ?? ""]
            if !allowed.contains(where: { Self.matches(value, type: $0) }) { problems.append("\(path): not \(allowed)") }
        }
        if let options = schema["enum"] as? [String], !options.contains(value as? String ?? "\u{0}") {
            problems.append("\(path): \(value) not in \(options)")
        }
        if let number = JSONValue.number(value) {
            if let minimum = JSONValue.number(schema["minimum"]), number < minimum { problems.append("\(path): below \(minimum)") }
            if let maximum = JSONValue.number(schema["maximum"]), number > maximum { problems.append("\(path): above \(maximum)") }
            if let minimum = JSONValue.number(schema["exclusiveMinimum"]), number <= minimum { problems.append("\(path): not above \(minimum)") }
        }
        if let text = value as? String, let pattern = schema["pattern"] as? String,
           text.range(of: pattern, options: .regularExpression) == nil {
            problems.append("\(path): '\(text)' does not match \(pattern)")
        }
        if let object = value as? [String: Any] {
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { problems.append("\(path): missing \(key)") }
            let properties = schema["properties"] as? [String: [String: Any]] ?? [:]
            for (key, member) in object {
                if let memberSchema = properties[key] {
                    problems += check(member, against: memberSchema, at: "\(path).\(key)")
                } else if let additional = schema["additionalProperties"] as? [String: Any] {
                    problems += check(member, against: additional, at: "\(path).\(key)")
                } else if schema["additionalProperties"] as? Bool == false {
                    problems.append("\(path): unexpected \(key)")
                }
            }
        }
        return problems
    }

    private static func matches(_ value: Any, type: String) -> Bool {
        switch type {
        case "object": value is [String: Any]
        case "string": value is String
        case "number": JSONValue.number(value)?.isFinite ?? false
        case "integer": JSONValue.number(value).map { $0 == $0.rounded() } ?? false
        case "boolean": JSONValue.isBoolean(value)
        case "array": value is [Any]
        default: false
        }
    }
}

@Suite("Payloads match the shipped JSON Schemas")
struct PayloadSchemaTests {
    @Test("Every message a machine produces in a shift with faults validates")
    func simulatedPayloads() throws {
        let telemetry = try SchemaChecker(file: "telemetry.schema.json")
        let state = try SchemaChecker(file: "state.schema.json")
        let counters = try SchemaChecker(file: "counters.schema.json")
        var machine = try Fixtures.simulator(start: "2026-03-02T05:30:00Z")
        var events = machine.advance(to: 3600)
        _ = machine.handle(MachineCommandRequest(command: .injectFault, fault: "vibration_dropout", duration: .seconds(600)))
        _ = machine.handle(MachineCommandRequest(command: .injectFault, fault: "coolant_loss"))
        events += machine.advance(to: 3 * 3600)
        var checked = (telemetry: 0, state: 0, counters: 0)
        for event in events {
            switch event {
            case .telemetry(let sample):
                #expect(telemetry.problems(JSONCodec.telemetry(sample, machine: "m1", kind: "cnc_machining_centre")) == [])
                checked.telemetry += 1
            case .state(let change):
                #expect(state.problems(JSONCodec.state(change)) == [])
                checked.state += 1
            case .counters(let production):
                #expect(counters.problems(JSONCodec.counters(production)) == [])
                checked.counters += 1
            case .network:
                break
            }
        }
        #expect(checked.telemetry > 10_000 && checked.state >= 3 && checked.counters >= 5)
    }

    @Test("Status, last will and commands validate; a checker catches a bad payload")
    func statusAndCommands() throws {
        let status = try SchemaChecker(file: "status.schema.json")
        #expect(status.problems(JSONCodec.status(online: true, time: Date(), reason: "connected")) == [])
        #expect(status.problems(JSONCodec.status(online: false, time: nil, reason: "connection lost")) == [])
        let command = try SchemaChecker(file: "cmd.schema.json")
        for request in [MachineCommandRequest(command: .start),
                        MachineCommandRequest(command: .injectFault, fault: "coolant_loss", duration: .seconds(600)),
                        MachineCommandRequest(command: .setSpeed, value: 0.8),
                        MachineCommandRequest(command: .setSpeed, value: 1)] {
            let bytes = JSONCodec.command(request)
            #expect(command.problems(bytes) == [])
            #expect(try JSONCodec.decodeCommand(bytes) == request, "commands round-trip")
        }
        #expect(command.problems(Array(#"{"command":"explode"}"#.utf8)) != [])
        #expect(status.problems(Array(#"{"status":"maybe","reason":1}"#.utf8)).count == 2)
    }

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
