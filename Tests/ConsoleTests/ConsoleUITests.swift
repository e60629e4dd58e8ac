import FleetView
import Console
import Foundation
import Testing
import TwinModel

/// Keys in, actions out: the console's UI state machine without a terminal or a broker.
@Suite struct ConsoleUITests {
    let now = PlantFixture.wallNow

    func press(_ keys: [Key], on ui: inout ConsoleUI, model: FleetModel = PlantFixture.model()) -> [ConsoleAction] {
        keys.flatMap { ui.handle($0, model: model, now: now) }
    }

    func decoded(_ action: ConsoleAction?) -> (topic: String, json: JSON)? {
        guard case .send(let intent)? = action else { return nil }
        let message = intent.message(in: PlantFixture.topics)
        guard let json = try? JSONReader.read(message.payload) else { return nil }
        return (message.topic, json)
    }

    @Test func alertsAreSortedBySeverityThenRecencyWithClearedLast() {
        let model = PlantFixture.model()
        let order = PlantFixture.ui().visibleAlerts(in: model).map(\.key.rule)
        #expect(order == ["bearing_failure_predicted", "vibration_high", "optics_hot", "hydraulic_overheating"])
    }

    @Test func movingFollowsTheAlertWhenTheListChanges() {
        var model = PlantFixture.model()
        var ui = PlantFixture.ui()
        _ = press([.down, .down], on: &ui)
        #expect(ui.currentAlert(in: model)?.key.rule == "optics_hot")
        // A new critical alert sorts first; the selection stays on the same alert.
        model.apply(.alert(PlantFixture.alert(PlantFixture.robot, rule: "wire_feed", name: "Wire feed", severity: .critical, raisedSecondsAgo: 5, message: "wire feed stalled")))
        #expect(ui.currentAlert(in: model)?.key.rule == "optics_hot")
        #expect(ui.alertIndex(in: model) == 3)
        ui.observe(model, now: now)
        // When it closes, the selection takes its place instead of jumping to the top.
        model.apply(.alertRemoved(AlertKey(machine: PlantFixture.laser, rule: "optics_hot")))
        #expect(ui.alertIndex(in: model) == 3)
    }

    @Test func acknowledgingSendsTheCommentAndWaitsForTheTwinService() throws {
        var model = PlantFixture.model()
        var ui = PlantFixture.ui()
        var actions = press([.character("a")], on: &ui)
        #expect(actions.isEmpty)
        #expect(ui.prompt?.purpose == .acknowledge(AlertKey(machine: PlantFixture.mill, rule: "bearing_failure_predicted")))
        actions = press("bearing ordered".map(Key.character) + [.enter], on: &ui)
        let sent = try #require(decoded(actions.first))
        #expect(sent.topic == "acme/leuven/fabrication/line-2/cnc-01/alert/bearing_failure_predicted/ack")
        #expect(sent.json == .object(["by": .string("ana"), "comment": .string("bearing ordered")]))
        // Nothing shows as acknowledged until the twin service says so.
        #expect(ui.status?.text.contains("waiting") == true)
        #expect(ui.pending.count == 1)
        ui.observe(model, now: now.addingTimeInterval(1))
        #expect(ui.pending.count == 1)
        var acknowledged = try #require(model.alerts[AlertKey(machine: PlantFixture.mill, rule: "bearing_failure_predicted")])
        acknowledged.acknowledgement = .init(by: "ana", at: now, comment: "bearing ordered")
        model.apply(.alert(acknowledged))
        ui.observe(model, now: now.addingTimeInterval(2))
        #expect(ui.pending.isEmpty)
        #expect(ui.status?.tone == .success)
    }

    @Test func anAcknowledgedAlertIsNotAcknowledgedAgain() {
        var ui = PlantFixture.ui()
        let actions = press([.down, .character("a")], on: &ui)
        #expect(actions.isEmpty)
        #expect(ui.prompt == nil)
        #expect(ui.status?.text.contains("already acknowledged by ana") == true)
    }

    @Test func escapeCancelsTheAcknowledgement() {
        var ui = PlantFixture.ui()
        let actions = press([.character("a"), .character("x"), .escape], on: &ui)
        #expect(actions.isEmpty)
        #expect(ui.prompt == nil)
    }

    @Test func startStopFollowsTheMachineState() throws {
        let model = PlantFixture.model()
        var ui = PlantFixture.ui()
        // The selected alert's machine, cnc-01, is running: s stops it.
        let stop = try #require(decoded(press([.character("s")], on: &ui).first))
        #expect(stop.topic == "acme/leuven/fabrication/line-2/cnc-01/cmd")
        #expect(stop.json["command"] == .string("stop"))
        // The brake is in fault: s explains instead of sending a start the machine would refuse.
        _ = press([.tab], on: &ui)
        #expect(ui.currentMachine(in: model)?.key == PlantFixture.brake)
        #expect(press([.character("s")], on: &ui).isEmpty)
        #expect(ui.status?.text.contains("clear it with c") == true)
    }

    @Test func pendingCommandWithoutEffectTimesOut() {
        let model = PlantFixture.model()
        var ui = PlantFixture.ui()
        _ = press([.character("s")], on: &ui)
        ui.observe(model, now: now.addingTimeInterval(ConsoleUI.pendingTimeout + 1))
        #expect(ui.pending.isEmpty)
        #expect(ui.status?.tone == .warning)
        #expect(ui.status?.text.contains("no effect of the stop of cnc-01") == true)
    }

    @Test func faultMenuInjectsTheChosenFault() throws {
        var ui = PlantFixture.ui()
        _ = press([.character("f")], on: &ui)
        guard case .faultMenu(let machine, let faults, _)? = ui.overlay else {
            Issue.record("no fault menu")
            return
        }
        #expect(machine == PlantFixture.mill)
        #expect(faults.map(\.name) == ["spindle_bearing", "coolant_loss", "network_drop"])
        let sent = try #require(decoded(press([.down, .enter], on: &ui).first))
        #expect(sent.topic == "acme/leuven/fabrication/line-2/cnc-01/cmd")
        #expect(sent.json == .object(["command": .string("inject_fault"), "fault": .string("coolant_loss")]))
        #expect(ui.overlay == nil)
        // A digit picks directly.
        let third = try #require(decoded(press([.character("f"), .character("3")], on: &ui).first))
        #expect(third.json["fault"] == .string("network_drop"))
    }

    @Test func faultMenuOfAnUnknownKindExplains() {
        var ui = PlantFixture.ui()
        _ = press([.tab, .character("f")], on: &ui)
        #expect(ui.overlay == nil)
        #expect(ui.status?.text.contains("no faults known for kind press_brake") == true)
    }

    @Test func clearSendsClearFault() throws {
        var ui = PlantFixture.ui()
        let sent = try #require(decoded(press([.tab, .character("c")], on: &ui).first))
        #expect(sent.topic == "acme/leuven/fabrication/line-1/brake-01/cmd")
        #expect(sent.json == .object(["command": .string("clear_fault")]))
        #expect(ui.pending.count == 1)
    }

    @Test func filterNarrowsBothListsAsItIsTyped() {
        let model = PlantFixture.model()
        var ui = PlantFixture.ui()
        _ = press([.character("/"), .character("l"), .character("a"), .character("s")], on: &ui)
        #expect(ui.visibleMachines(in: model).map(\.key.machine) == ["laser-01"])
        #expect(ui.visibleAlerts(in: model).map(\.key.rule) == ["optics_hot"])
        _ = press([.enter], on: &ui)
        #expect(ui.filter == "las")
        _ = press([.escape], on: &ui)
        #expect(ui.filter.isEmpty)
        #expect(ui.visibleMachines(in: model).count == 5)
    }

    @Test func quitKeys() {
        var ui = PlantFixture.ui()
        #expect(press([.character("q")], on: &ui) == [.quit])
        var prompting = PlantFixture.ui()
        #expect(press([.character("/"), .character("q")], on: &prompting).isEmpty)
        #expect(press([.control("c")], on: &prompting) == [.quit])
    }

    @Test func helpAndDetailClose() {
        let model = PlantFixture.model()
        var ui = PlantFixture.ui()
        _ = press([.character("?")], on: &ui)
        #expect(ui.overlay == .help)
        _ = press([.character("x")], on: &ui)
        #expect(ui.overlay == nil)
        _ = press([.enter], on: &ui)
        #expect(ui.overlay == .detail)
        _ = press([.down], on: &ui)
        #expect(ui.overlay == .detail)
        #expect(ui.currentAlert(in: model)?.key.rule == "vibration_high")
        _ = press([.escape], on: &ui)
        #expect(ui.overlay == nil)
    }
}
