import FleetView
import Foundation
import TwinModel
import TwinHubProtocol

/// Draws the console: a pure function from the plant model and the UI state to a ``Frame``. The terminal
/// runtime sends only the cells that changed; tests compare frames with text snapshots.
public enum ConsoleRenderer {
    /// The screen for `model` and `ui` at `width`×`height`. `now` is the wall clock (status messages, and alert
    /// ages of machines whose clock is unknown).
    public static func render(model: FleetModel, ui: ConsoleUI, width: Int, height: Int, now: Date) -> Frame {
        var frame = Frame(width: width, height: height)
        guard let layout = ScreenLayout.compute(width: width, height: height, focusOnFleet: ui.focus == .fleet) else {
            let message = "TwinHub console needs at least \(ScreenLayout.minimumWidth)×\(ScreenLayout.minimumHeight) (this is \(width)×\(height))"
            for (offset, line) in DisplayFormat.wrap(message, width: width).enumerated() { frame.put(line, row: offset, column: 0) }
            return frame
        }
        drawHeader(model: model, ui: ui, in: layout.header, on: &frame)
        drawAlerts(model: model, ui: ui, now: now, in: layout.alerts, on: &frame)
        drawFleet(model: model, ui: ui, in: layout.fleet, on: &frame)
        let shownMachine = ui.shownMachine(in: model)
        if let region = layout.alertDetail {
            separator(region, on: &frame)
            drawAlertDetail(ui.currentAlert(in: model), model: model, now: now, in: region, on: &frame)
        }
        if let region = layout.machineDetail {
            separator(region, on: &frame)
            drawMachineDetail(shownMachine.flatMap { model.machines[$0] }, model: model, in: region, on: &frame)
        }
        drawFooter(model: model, ui: ui, now: now, in: layout.footer, on: &frame)
        switch ui.overlay {
        case .help?: drawHelp(on: &frame)
        case .detail?: drawFullDetail(model: model, ui: ui, now: now, on: &frame)
        case .faultMenu(let machine, let faults, let selected)?: drawFaultMenu(machine: machine, faults: faults, selected: selected, on: &frame)
        case nil: break
        }
        return frame
    }

    // MARK: Shared pieces

    /// A pane's title rule: `─ Title ─────…`, highlighted when the pane has the focus.
    static func title(_ text: String, focused: Bool = false, in region: Region, on frame: inout Frame) {
        frame.fill(row: region.row, column: region.column, count: region.width, with: "─", style: Palette.rule)
        frame.put(" \(text) ", row: region.row, column: region.column + 1, style: focused ? Palette.focusedTitle : Palette.title,
                  maxWidth: region.width - 2)
    }

    /// The vertical line left of a right-hand pane (the title rule's row gets a junction).
    static func separator(_ region: Region, on frame: inout Frame) {
        let column = region.column - 1
        guard column >= 0 else { return }
        frame.put("┬", row: region.row, column: column, style: Palette.rule)
        for row in (region.row + 1)..<(region.row + region.height) { frame.put("│", row: row, column: column, style: Palette.rule) }
    }

    /// Marks the selected row: inverse in the focused pane, underlined in the other.
    static func highlight(row: Int, in region: Region, focused: Bool, on frame: inout Frame) {
        for column in region.column..<min(frame.width, region.column + region.width) {
            var cell = frame[row, column]
            if focused { cell.style.inverse = true } else { cell.style.underline = true }
            frame[row, column] = cell
        }
    }

    /// The first visible item so that `selected` shows in `rows` rows.
    static func scrollOffset(selected: Int?, count: Int, rows: Int) -> Int {
        guard let selected, rows > 0, count > rows else { return 0 }
        return min(max(0, selected - rows + 1), count - rows)
    }

    /// The age of an alert on its machine's clock (alert times are machine times; the simulator may run faster
    /// than the wall clock).
    static func age(of alert: AlertSnapshot, model: FleetModel, now: Date) -> String {
        guard let since = alert.raisedAt ?? alert.firstSeen else { return "-" }
        let clock = model.machineTime(of: alert.key.machine) ?? now
        return DisplayFormat.age(max(0, clock.timeIntervalSince(since)))
    }
}
