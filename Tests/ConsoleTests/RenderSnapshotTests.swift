import FleetView
import TwinModel
import Console
import Foundation
import Testing
import TwinHubProtocol

/// Each pane and overlay at the smallest supported size, the classic 80×24 and a large screen.
@Suite struct RenderSnapshotTests {
    let model = PlantFixture.model()

    func render(_ ui: ConsoleUI, _ width: Int, _ height: Int, model: FleetModel? = nil) -> Frame {
        ConsoleRenderer.render(model: model ?? self.model, ui: ui, width: width, height: height, now: PlantFixture.wallNow)
    }

    func press(_ keys: [Key], on ui: inout ConsoleUI, model: FleetModel? = nil) {
        for key in keys { _ = ui.handle(key, model: model ?? self.model, now: PlantFixture.wallNow) }
    }

    @Test(arguments: [(60, 16), (80, 24), (100, 30)])
    func alertsFocused(width: Int, height: Int) {
        Snapshot.check(render(PlantFixture.ui(), width, height), named: "alerts-\(width)x\(height)")
    }

    @Test(arguments: [(60, 16), (80, 24), (100, 30)])
    func fleetFocused(width: Int, height: Int) {
        var ui = PlantFixture.ui()
        press([.tab, .down, .down, .down], on: &ui)
        Snapshot.check(render(ui, width, height), named: "fleet-\(width)x\(height)")
    }

    @Test(arguments: [(120, 34), (160, 48)])
    func wideLayout(width: Int, height: Int) {
        var ui = PlantFixture.ui()
        press([.down, .tab], on: &ui)
        Snapshot.check(render(ui, width, height), named: "wide-\(width)x\(height)")
    }

    @Test func tooSmall() {
        Snapshot.check(render(PlantFixture.ui(), 40, 10), named: "too-small-40x10")
    }

    @Test(arguments: [(80, 24), (160, 48)])
    func help(width: Int, height: Int) {
        var ui = PlantFixture.ui()
        press([.character("?")], on: &ui)
        Snapshot.check(render(ui, width, height), named: "help-\(width)x\(height)")
    }

    @Test(arguments: [(80, 24), (160, 48)])
    func faultMenu(width: Int, height: Int) {
        var ui = PlantFixture.ui()
        press([.character("f"), .down], on: &ui)
        Snapshot.check(render(ui, width, height), named: "fault-menu-\(width)x\(height)")
    }

    @Test(arguments: [(80, 24), (160, 48)])
    func alertDetail(width: Int, height: Int) {
        var ui = PlantFixture.ui()
        press([.down, .enter], on: &ui)
        Snapshot.check(render(ui, width, height), named: "alert-detail-\(width)x\(height)")
    }

    @Test(arguments: [(80, 24), (160, 48)])
    func machineDetail(width: Int, height: Int) {
        var ui = PlantFixture.ui()
        press([.tab, .end, .enter], on: &ui)
        Snapshot.check(render(ui, width, height), named: "machine-detail-\(width)x\(height)")
    }

    @Test func acknowledgePrompt() {
        var ui = PlantFixture.ui()
        press([.character("a")] + "coolant ok".map(Key.character), on: &ui)
        Snapshot.check(render(ui, 80, 24), named: "ack-prompt-80x24")
    }

    @Test func filtered() {
        var ui = PlantFixture.ui()
        press([.character("/")] + "cnc".map(Key.character) + [.enter], on: &ui)
        Snapshot.check(render(ui, 80, 24), named: "filter-cnc-80x24")
    }

    @Test func reconnectingAndEmpty() {
        var model = FleetModel(broker: "mqtt://broker.local:1883", root: "acme")
        model.setConnection(.reconnecting(attempt: 3, reason: "connection refused"))
        Snapshot.check(render(PlantFixture.ui(), 80, 24, model: model), named: "reconnecting-empty-80x24")
    }

    @Test func anEmptyFleetSaysWhichPartIsMissing() {
        var model = FleetModel(broker: "mqtt://broker.local:1883", root: "acme")
        let noService = render(PlantFixture.ui(), 160, 24, model: model).lines.joined(separator: "\n")
        #expect(noService.contains("waiting for twinhub serve --root acme"), "\(noService)")
        model.apply(.metrics(ServiceMetricsMessage(time: PlantFixture.wallNow, messagesIn: 0)))
        let noFleet = render(PlantFixture.ui(), 160, 24, model: model).lines.joined(separator: "\n")
        #expect(noFleet.contains("no twins yet: is a simulator on acme/?"), "\(noFleet)")
    }

    @Test func shedTelemetryIsShownInTheFooter() {
        var model = PlantFixture.model()
        let quiet = render(PlantFixture.ui(), 120, 24, model: model).lines.last ?? ""
        #expect(!quiet.contains("shed"), "\(quiet)")
        model.apply(.metrics(ServiceMetricsMessage(time: PlantFixture.wallNow, messagesIn: 20_000, shed: 1_234)))
        #expect(model.serviceShed == 1_234)
        let footer = render(PlantFixture.ui(), 120, 24, model: model).lines.last ?? ""
        #expect(footer.contains("⚠ service shed 1234 samples"), "\(footer)")
    }

    // MARK: Styles the text snapshots cannot show

    @Test func severityColoursAndSelection() {
        let frame = render(PlantFixture.ui(), 80, 24)
        // Row 4 is the first alert (critical, selected in the focused pane): red background, inverted.
        let critical = frame[4, 1]
        #expect(critical.character == "C")
        #expect(critical.style.background == .red)
        #expect(critical.style.inverse)
        // Row 5: the major alert, not selected: bright red, not inverted; acknowledged mark in green.
        #expect(frame[5, 1].style.foreground == .brightRed)
        #expect(!frame[5, 1].style.inverse)
        let mark = frame.row(5).firstIndex { $0.character == "✓" }
        #expect(mark.map { frame.cells[$0].style.foreground } == .green)
    }

    @Test func offlineMachineIsMarkedRed() {
        var ui = PlantFixture.ui()
        press([.tab], on: &ui)
        let frame = render(ui, 80, 24)
        let row = frame.lines.firstIndex { $0.contains("comp-01") }
        #expect(row != nil)
        if let row {
            let dot = frame.row(row).first { $0.character == "○" }
            #expect(dot?.style.foreground == .brightRed)
        }
    }
}
