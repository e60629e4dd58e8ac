import FleetView
import Console
import Foundation
import Testing
import TwinModel
import TwinHubProtocol

/// Cases a review found: hostile numbers and text from MQTT, effects claimed too early, a selection that
/// slipped under the trainer's hands.
@Suite struct ReviewRegressionTests {
    let now = PlantFixture.wallNow

    @Test func absurdFiguresRenderAsDashesInsteadOfCrashing() {
        var model = PlantFixture.model()
        var machine = PlantFixture.machine(PlantFixture.key("zzz-99"), kind: "k", state: "running", oee: 1e300)
        machine.mtbfSeconds = 1e300
        machine.mttrSeconds = -1e300
        model.apply(.twin(machine))
        model.apply(.history(PlantFixture.key("zzz-99"), ["x": [-1e308, 1e308, 0]]))
        model.apply(.aggregate(KPISnapshot(path: PlantPath(site: "leuven", area: "fabrication", line: "line-1"), machines: 1,
                                             shift: OEEFigures(oee: -1e19), window: OEEFigures(oee: -1e19))))
        model.apply(.metrics(ServiceMetricsMessage(time: now.addingTimeInterval(10), messagesIn: 20_000)))
        model.apply(.metrics(ServiceMetricsMessage(time: now.addingTimeInterval(10.000001), messagesIn: Int(1e15))))
        var ui = PlantFixture.ui()
        for key in [Key.tab, .down, .down, .down, .enter] { _ = ui.handle(key, model: model, now: now) }
        ui.observe(model, now: now)
        for (width, height) in [(80, 24), (160, 48)] {
            let frame = ConsoleRenderer.render(model: model, ui: ui, width: width, height: height, now: now)
            #expect(frame.text.contains("OEE -"))
        }
    }

    @Test func textThatIsNotOneColumnPerCharacterIsReplaced() {
        var frame = Frame(width: 12, height: 1)
        let written = frame.put("漢字😀a\u{200B}b\u{202E}é°", row: 0, column: 0)
        #expect(frame.lines == ["???a?b?é°"])
        #expect(written == 9)
    }

    @Test func anAlertThatClosesWhileTheCommentIsTypedIsNotAcknowledged() {
        var model = PlantFixture.model()
        var ui = PlantFixture.ui()
        _ = ui.handle(.character("a"), model: model, now: now)
        model.apply(.alertRemoved(AlertKey(machine: PlantFixture.mill, rule: "bearing_failure_predicted")))
        let actions = ui.handle(.enter, model: model, now: now)
        #expect(actions.isEmpty)
        #expect(ui.status?.tone == .warning)
        #expect(ui.status?.text.contains("closed meanwhile") == true)
    }

    @Test func anAcknowledgementCountsOnlyWhenTheServiceConfirmsIt() throws {
        var model = PlantFixture.model()
        var ui = PlantFixture.ui()
        let key = AlertKey(machine: PlantFixture.mill, rule: "bearing_failure_predicted")
        for key in [Key.character("a"), .enter] { _ = ui.handle(key, model: model, now: now) }
        // The alert vanishes without an acknowledgement (it cleared on its own): not a success.
        model.apply(.alertRemoved(key))
        ui.observe(model, now: now)
        #expect(ui.pending.count == 1)
        // The service's acknowledged event (then closed) is.
        var acknowledged = PlantFixture.alert(PlantFixture.mill, rule: "bearing_failure_predicted", name: "B", severity: .critical,
                                              acknowledgedBy: "ana", raisedSecondsAgo: 10, message: "m")
        acknowledged.status = "closed"
        model.apply(.event(AlertEventMessage(event: "acknowledged", time: now, alert: acknowledged)))
        ui.observe(model, now: now)
        #expect(ui.pending.isEmpty)
        #expect(ui.status?.tone == .success)
    }

    @Test func clearingAFaultSucceedsWhenTheMachineLeavesFaultWhateverItDoesNext() {
        var model = PlantFixture.model()
        var ui = PlantFixture.ui()
        for key in [Key.tab, .character("c")] { _ = ui.handle(key, model: model, now: now) }
        #expect(ui.pending.count == 1)
        model.apply(.twin(PlantFixture.machine(PlantFixture.brake, kind: "press_brake", state: "setup", oee: 0.4)))
        ui.observe(model, now: now)
        #expect(ui.pending.isEmpty)
        #expect(ui.status?.text == "brake-01 is out of fault")
    }

    @Test func theSelectionStaysOnItsAlertWithoutBeingMoved() {
        var model = PlantFixture.model()
        var ui = PlantFixture.ui()
        ui.observe(model, now: now)
        #expect(ui.currentAlert(in: model)?.key.rule == "bearing_failure_predicted")
        model.apply(.alert(PlantFixture.alert(PlantFixture.robot, rule: "wire_feed", name: "Wire feed", severity: .critical,
                                              raisedSecondsAgo: 1, message: "wire feed stalled")))
        #expect(ui.visibleAlerts(in: model).first?.key.rule == "wire_feed")
        #expect(ui.currentAlert(in: model)?.key.rule == "bearing_failure_predicted")
    }

    @Test func keysOverTheDetailActAndKeepTheDetailOpen() {
        let model = PlantFixture.model()
        var ui = PlantFixture.ui()
        _ = ui.handle(.enter, model: model, now: now)
        let actions = ui.handle(.character("s"), model: model, now: now)
        #expect(actions.count == 1)
        #expect(ui.overlay == .detail)
        #expect(ui.handle(.character("q"), model: model, now: now) == [.quit])
    }

    @Test func machinesStaySortedAsTheyArriveAndLeave() {
        var model = FleetModel(broker: "b", root: "acme")
        for name in ["m-3", "m-1", "m-2", "m-0"] {
            model.apply(.twin(PlantFixture.machine(PlantFixture.key(name), kind: "k", state: "idle")))
        }
        model.apply(.twin(PlantFixture.machine(PlantFixture.key("m-1"), kind: "k", state: "running")))
        model.apply(.twinRemoved(PlantFixture.key("m-2")))
        #expect(model.sortedMachines.map(\.key.machine) == ["m-0", "m-1", "m-3"])
        #expect(model.sortedMachines[1].state == "running")
    }
}
