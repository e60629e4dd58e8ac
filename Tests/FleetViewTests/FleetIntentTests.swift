import FleetView
import Foundation
import Testing
import TwinHubProtocol
import TwinModel

/// Every intent a screen can return goes out on the topic the twin service or the machine reads, with a payload
/// that reads back as the same request.
@Suite struct FleetIntentTests {
    let topics = try! TopicMap(root: "acme")
    let cnc = PlantPath(site: "leuven", area: "fabrication", line: "line-1", machine: "cnc-01")

    static let commands: [MachineCommandRequest] = [
        MachineCommandRequest(command: .start),
        MachineCommandRequest(command: .stop),
        MachineCommandRequest(command: .hold),
        MachineCommandRequest(command: .reset),
        MachineCommandRequest(command: .injectFault, fault: "coolant_loss"),
        MachineCommandRequest(command: .injectFault, fault: "network_drop", duration: .seconds(120)),
        MachineCommandRequest(command: .clearFault),
        MachineCommandRequest(command: .clearFault, fault: "coolant_loss"),
        MachineCommandRequest(command: .setSpeed, value: 0.8),
    ]

    @Test("A command goes to the machine's cmd topic and reads back as sent", arguments: commands)
    func command(_ request: MachineCommandRequest) throws {
        let message = FleetIntent.command(cnc, request).message(in: topics)
        #expect(message.topic == "acme/leuven/fabrication/line-1/cnc-01/cmd")
        #expect(try JSONCodec.decodeCommand(message.payload) == request)
        #expect(topics.machineTopic(of: message.topic) == TopicMap.MachineTopic(machine: cnc, channel: .cmd))
    }

    @Test("An acknowledgement goes to the alert's ack topic with who and why")
    func acknowledgement() throws {
        let alert = AlertKey(machine: cnc, rule: "spindle_overheat")
        let request = AcknowledgementRequest(by: "ana", comment: "coolant checked — “ok”")
        let message = FleetIntent.acknowledge(alert, request).message(in: topics)
        #expect(message.topic == "acme/leuven/fabrication/line-1/cnc-01/alert/spindle_overheat/ack")
        #expect(try JSONCodec.decodeAcknowledgement(message.payload) == request)
        #expect(topics.alertTopic(of: message.topic) == TopicMap.AlertTopic(alert: alert, isAcknowledgement: true))
    }

    @Test("A desired state goes to the machine's desired topic, which the twin service reads", arguments: [MachineState.stopped, .running])
    func desired(_ state: MachineState) throws {
        let message = FleetIntent.desire(cnc, state).message(in: topics)
        #expect(message.topic == "acme/leuven/fabrication/line-1/cnc-01/desired")
        #expect(try JSONCodec.decodeDesired(message.payload) == state)
    }

    @Test("Each intent names the machine it acts on")
    func machine() {
        #expect(FleetIntent.acknowledge(AlertKey(machine: cnc, rule: "r"), AcknowledgementRequest(by: "a", comment: "")).machine == cnc)
        #expect(FleetIntent.command(cnc, MachineCommandRequest(command: .stop)).machine == cnc)
        #expect(FleetIntent.desire(cnc, .stopped).machine == cnc)
    }
}
