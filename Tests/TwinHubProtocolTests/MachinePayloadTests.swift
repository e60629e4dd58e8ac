import Foundation
import Simulation
import Testing
import TestSupport
import TwinModel
import Twins
import TwinHubProtocol

/// What machines publish (telemetry, state, counters, status and its last will) and what they are sent (commands,
/// desired states), against their schemas: as the simulator and its encoders write them, and as the decoders read them.
@Suite("Machine messages match their schemas")
struct MachinePayloadTests {
    /// One machine of `kind` on a day shift, starting at 05:30.
    static func simulator(kind: String) throws -> MachineSimulator {
        let scenario = try Repository.scenario("kind_check", start: "2026-03-02T05:30:00Z", seed: 11, sites: """
              - id: s
                areas:
                  - id: a
                    lines:
                      - id: l
                        machines:
                          - id: m1
                            kind: \(kind)
                            random_faults: false
            """)
        return MachineSimulator(instance: scenario.machines[0], scenario: scenario)
    }

    @Test("Every kind through a shift with each of its faults injected by command: every message and command validates", .cpuBound,
          arguments: Repository.kinds.keys.sorted())
    func everyKind(kind: String) throws {
        let validator = try Repository.validator()
        var machine = try Self.simulator(kind: kind)
        let encoder = TelemetryEncoder(for: machine.instance)
        let spec = machine.instance.kind.interface
        var counts = (telemetry: 0, state: 0, counters: 0, commands: 0)
        func command(_ request: MachineCommandRequest) throws {
            guard spec.commands.contains(request.command) else { return }
            let payload = JSONCodec.command(request)
            validator.expectValid(payload, .cmd, kind)
            #expect(try JSONCodec.decodeCommand(payload) == request, "commands read back as written")
            _ = machine.handle(request)
            counts.commands += 1
        }
        func check(_ events: [SimulationEvent]) {
            for event in events {
                switch event {
                case .telemetry(let sample):
                    counts.telemetry += 1
                    guard counts.telemetry % 10 == 0 || sample.values.count < spec.properties.count else { continue }
                    let payload = encoder.encode(sample)
                    #expect(payload == JSONCodec.telemetry(sample, machine: machine.instance.id, kind: kind))
                    validator.expectValid(payload, .telemetry, kind)
                case .state(let change):
                    counts.state += 1
                    validator.expectValid(JSONCodec.state(change), .state, kind)
                case .counters(let production):
                    counts.counters += 1
                    validator.expectValid(JSONCodec.counters(production), .counters, kind)
                case .network(let up, _):
                    validator.expectValid(JSONCodec.status(online: up, time: up ? machine.date : nil, reason: up ? "connected" : "connection lost"), .status, kind)
                }
            }
        }
        validator.expectValid(JSONCodec.state(StateChange(time: machine.date, sequence: 0, state: machine.state, previous: machine.state,
                                                                 reason: "simulator started")), .state, kind)
        check(machine.advance(to: 3600))
        try command(MachineCommandRequest(command: .setSpeed, value: 0.8))
        for (index, fault) in spec.faults.enumerated() {
            check(machine.advance(to: 3600 + Double(index + 1) * 900))
            try command(MachineCommandRequest(command: .injectFault, fault: fault.name, duration: .seconds(300)))
        }
        check(machine.advance(to: machine.time + 900))
        try command(MachineCommandRequest(command: .clearFault, fault: spec.faults.first?.name))
        try command(MachineCommandRequest(command: .clearFault))
        for request in [MachineCommand.reset, .start, .hold, .stop] {
            try command(MachineCommandRequest(command: request))
            check(machine.advance(to: machine.time + 300))
        }
        #expect(counts.telemetry > 5000 && counts.state >= 5 && counts.counters >= 5 && counts.commands >= 4, "\(counts)")
    }

    @Test("Status: online, a clean offline and the last will validate; the schema needs the time of an online status")
    func status() throws {
        let validator = try Repository.validator()
        validator.expectValid(JSONCodec.status(online: true, time: at("06:00:00"), reason: "connected"), .status)
        validator.expectValid(JSONCodec.status(online: false, time: at("14:00:00"), reason: "simulator stopped"), .status)
        let will = JSONCodec.status(online: false, time: nil, reason: "connection lost")
        validator.expectValid(will, .status, "the last will")
        #expect(try JSONCodec.decodeStatus(will) == .init(online: false, time: nil, reason: "connection lost"))
        #expect(validator.refusals(#"{"status":"online","reason":"connected"}"#, .status) == ["$: oneOf"])
        #expect(validator.refusals(#"{"status":"maybe","reason":1}"#, .status) == ["$.reason: type", "$.status: enum", "$: oneOf"])
    }

    @Test("Commands as the console, the twin service and twinhub pub write them validate; the ones machines refuse do not")
    func commands() throws {
        let validator = try Repository.validator()
        for request in [MachineCommandRequest(command: .start), .init(command: .stop), .init(command: .hold), .init(command: .reset),
                        .init(command: .injectFault, fault: "coolant_loss"), .init(command: .injectFault, fault: "coolant_loss", duration: .seconds(600)),
                        .init(command: .clearFault), .init(command: .clearFault, fault: "spindle_bearing"),
                        .init(command: .setSpeed, value: 0.1), .init(command: .setSpeed, value: 1.5)] {
            validator.expectValid(JSONCodec.command(request), .cmd)
        }
        // README's example, with the duration as text: machines read it, and so does the schema.
        let readme = #"{"command":"inject_fault","fault":"coolant_loss","duration":"10m"}"#
        #expect(validator.refusals(readme, .cmd) == [])
        #expect(try JSONCodec.decodeCommand(Array(readme.utf8)).duration == .seconds(600))
        for text in ["90", "1h30m", "250ms", "1.5h"] {
            #expect(validator.refusals(#"{"command":"inject_fault","fault":"f","duration":"\#(text)"}"#, .cmd) == [], "\(text)")
        }
        for refused in [#"{"command":"explode"}"#, #"{"command":"inject_fault"}"#, #"{"command":"set_speed"}"#, #"{"command":"set_speed","value":2}"#,
                        #"{"command":"start","value":1}"#, #"{"command":"inject_fault","fault":"f","duration":"soon"}"#,
                        #"{"command":"inject_fault","fault":"f","duration":-5}"#, #"{"command":"stop","extra":1}"#, #"{"fault":"f"}"#] {
            #expect(validator.refusals(refused, .cmd) != [], "\(refused)")
        }
    }

    @Test("Desired states: the schema takes exactly the states the twin service can bring about", arguments: MachineState.allCases)
    func desired(state: MachineState) throws {
        let validator = try Repository.validator()
        var service = try ServiceHarness(root: "acme", kinds: Repository.kinds, rules: nil)
        let topics = service.topics
        let path = PlantPath(site: "s", area: "a", line: "l", machine: "m1")
        service.receive(JSONCodec.status(online: true, time: at("06:00:00"), reason: "connected"), on: topics.topic(.status, for: path), at: at("06:00:00"))
        let payload = Array(#"{"state":"\#(state.rawValue)"}"#.utf8)
        service.receive(payload, on: topics.topic(.desired, for: path), at: at("06:00:01"))
        let taken = service.payloads(.deadLetter).isEmpty
        #expect(validator.validate(payload, against: MessageSchema.desired.file).isEmpty == taken,
                "\(state): the schema \(taken ? "refuses" : "allows") a state the service \(taken ? "takes" : "refuses")")
    }

    @Test("Payloads the decoders refuse, the schemas refuse too", arguments: [
        (MessageSchema.telemetry, #"{"ts":"2026-03-02T06:00:00.000Z","seq":0,"machine":"m","kind":"k","values":{}}"#),
        (.telemetry, #"{"ts":"2026-03-02 06:00:00Z","seq":1,"machine":"m","kind":"k","values":{}}"#),
        (.telemetry, #"{"ts":"1969-12-31T23:59:59Z","seq":1,"machine":"m","kind":"k","values":{}}"#),
        (.telemetry, #"{"ts":"2026-13-02T06:00:00Z","seq":1,"machine":"m","kind":"k","values":{}}"#),
        (.telemetry, #"{"ts":"2026-03-02T06:00:00.0000000000Z","seq":1,"machine":"m","kind":"k","values":{}}"#),
        (.telemetry, #"{"ts":"2026-03-02T06:00:00Z","seq":1,"machine":"m","kind":"k","values":{"t":{"value":"1","unit":"°C"}}}"#),
        (.telemetry, #"{"ts":"2026-03-02T06:00:00Z","seq":1,"machine":"m","kind":"k","values":{"t":{"value":1}}}"#),
        (.telemetry, #"{"ts":"2026-03-02T06:00:00Z","seq":1,"kind":"k","values":{}}"#),
        (.telemetry, #"{"ts":"2026-03-02T06:00:00Z","seq":1,"machine":"m","kind":"k","values":[]}"#),
        (.state, #"{"ts":"2026-03-02T06:00:00Z","seq":1,"state":"exploded","previous":"idle","reason":""}"#),
        (.state, #"{"ts":"2026-03-02T06:00:00Z","seq":-1,"state":"idle","previous":"idle","reason":""}"#),
        (.state, #"{"ts":"2026-03-02T06:00:00Z","seq":1,"state":"idle","reason":""}"#),
        (.counters, #"{"ts":"2026-03-02T06:00:00Z","seq":1,"total":-1,"good":0,"scrap":-1,"ideal_cycle_time_s":20}"#),
        (.counters, #"{"ts":"2026-03-02T06:00:00Z","seq":1,"total":1.5,"good":1.5,"scrap":0,"ideal_cycle_time_s":20}"#),
        (.counters, #"{"ts":"2026-03-02T06:00:00Z","seq":1,"total":1,"good":1,"scrap":0,"ideal_cycle_time_s":0}"#),
        (.counters, #"{"ts":"2026-03-02T06:00:00Z","seq":0,"total":1,"good":1,"scrap":0,"ideal_cycle_time_s":20}"#),
        (.status, #"{"status":"maybe","reason":""}"#),
        (.status, #"{"status":"online","ts":"yesterday","reason":""}"#),
        (.desired, #"{"state":"running!"}"#),
        (.desired, #"{"state":1}"#),
        (.alertAck, #"{"by":""}"#),
        (.alertAck, #"{"by":"ana","comment":5}"#),
    ])
    func decoderRefusals(schema: MessageSchema, payload: String) throws {
        let validator = try Repository.validator()
        let bytes = Array(payload.utf8)
        let decoded: Bool
        switch schema {
        case .telemetry: decoded = (try? JSONCodec.decodeTelemetry(bytes)) != nil
        case .state: decoded = (try? JSONCodec.decodeState(bytes)) != nil
        case .counters: decoded = (try? JSONCodec.decodeCounters(bytes)) != nil
        case .status: decoded = (try? JSONCodec.decodeStatus(bytes)) != nil
        case .desired: decoded = (try? JSONCodec.decodeDesired(bytes)) != nil
        case .alertAck: decoded = (try? JSONCodec.decodeAcknowledgement(bytes)) != nil
        default: decoded = true
        }
        #expect(!decoded, "the decoder refuses it")
        #expect(validator.validate(bytes, against: schema.file) != [], "the schema refuses it")
    }

    @Test("What the decoders accept beyond what TwinHub writes, the schemas of incoming messages accept too")
    func decoderLeniency() throws {
        let validator = try Repository.validator()
        for ts in ["2026-03-02T06:00:00Z", "2026-03-02T06:00:00.5Z", "2026-03-02T06:00:00.123456789Z", "2199-12-31T23:59:59.999Z", "1970-01-01T00:00:00Z"] {
            let telemetry = #"{"ts":"\#(ts)","seq":1,"machine":"m","kind":"k","values":{"t":{"value":-1.5e3,"unit":""}}}"#
            #expect(throws: Never.self) { try JSONCodec.decodeTelemetry(Array(telemetry.utf8)) }
            #expect(validator.refusals(telemetry, .telemetry) == [], "\(ts)")
            let state = #"{"ts":"\#(ts)","seq":0,"state":"idle","previous":"idle","reason":""}"#
            #expect(throws: Never.self) { try JSONCodec.decodeState(Array(state.utf8)) }
            #expect(validator.refusals(state, .state) == [], "\(ts)")
        }
    }
}
