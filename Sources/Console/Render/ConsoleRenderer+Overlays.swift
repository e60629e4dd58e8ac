import FleetView
import TwinModel
import Foundation

extension ConsoleRenderer {
    static let helpLines: [(String, String)] = [
        ("↑ ↓  j k", "move in the focused list (PgUp PgDn, g G: ends)"),
        ("Tab  ← →", "switch between alerts and fleet"),
        ("Enter", "full detail of the selection (Esc closes)"),
        ("a", "acknowledge the selected alert (optional comment)"),
        ("f", "inject a fault into the selected machine"),
        ("c", "clear the machine's faults"),
        ("s", "start or stop the machine"),
        ("/", "filter alerts and machines (Esc clears)"),
        ("?", "this help"),
        ("q  Ctrl-C", "quit"),
    ]

    /// A bordered box in the middle of the screen, cleared; returns its inside.
    static func box(title text: String, width: Int, height: Int, on frame: inout Frame) -> Region {
        let width = min(width, frame.width - 2), height = min(height, frame.height - 2)
        let column = (frame.width - width) / 2, row = (frame.height - height) / 2
        for line in row..<(row + height) { frame.fill(row: line, column: column, count: width) }
        frame.put("┌" + String(repeating: "─", count: width - 2) + "┐", row: row, column: column, style: Palette.rule)
        frame.put("└" + String(repeating: "─", count: width - 2) + "┘", row: row + height - 1, column: column, style: Palette.rule)
        for line in (row + 1)..<(row + height - 1) {
            frame.put("│", row: line, column: column, style: Palette.rule)
            frame.put("│", row: line, column: column + width - 1, style: Palette.rule)
        }
        frame.put(" \(text) ", row: row, column: column + 2, style: Palette.focusedTitle, maxWidth: width - 4)
        return Region(row: row + 1, column: column + 2, width: width - 4, height: height - 2)
    }

    static func drawHelp(on frame: inout Frame) {
        let inside = box(title: "Keys", width: 72, height: helpLines.count + 4, on: &frame)
        for (offset, (keys, meaning)) in helpLines.enumerated() {
            frame.put(DisplayFormat.pad(keys, to: 11), row: inside.row + offset, column: inside.column, style: Palette.title)
            frame.put(meaning, row: inside.row + offset, column: inside.column + 12, maxWidth: inside.width - 12)
        }
        frame.put("Actions go out as MQTT commands; the screen changes when the twin does.", row: inside.row + helpLines.count + 1,
                  column: inside.column, style: Palette.muted, maxWidth: inside.width)
    }

    static func drawFaultMenu(machine: PlantPath, faults: [FaultChoice], selected: Int, on frame: inout Frame) {
        let inside = box(title: "Inject a fault into \(machine.name)", width: 76, height: min(faults.count, 9) + 4, on: &frame)
        let rows = inside.height - 2
        let offset = scrollOffset(selected: selected, count: faults.count, rows: rows)
        for (line, index) in (offset..<min(faults.count, offset + rows)).enumerated() {
            let fault = faults[index]
            let row = inside.row + line
            let number = index < 9 ? "\(index + 1)" : " "
            var column = inside.column
            column += frame.put("\(number) " + DisplayFormat.pad(fault.name, to: 18) + " ", row: row, column: column, style: Palette.title)
            column += frame.put(DisplayFormat.pad(fault.effect, to: 14) + " ", row: row, column: column, style: TextStyle(foreground: .cyan))
            frame.put(fault.description, row: row, column: column, style: Palette.muted, maxWidth: inside.column + inside.width - column)
            if index == selected { highlight(row: row, in: inside, focused: true, on: &frame) }
        }
        frame.put("Enter or 1-9 injects · Esc cancels", row: inside.row + inside.height - 1, column: inside.column, style: Palette.muted,
                  maxWidth: inside.width)
    }

    /// The focused item over the whole body: the alert with its machine's recent events, or the machine with wide trends.
    static func drawFullDetail(model: FleetModel, ui: ConsoleUI, now: Date, on frame: inout Frame) {
        let region = Region(row: 2, column: 0, width: frame.width, height: frame.height - 3)
        for row in region.row..<(region.row + region.height) { frame.fill(row: row, column: 0, count: frame.width) }
        let body = Region(row: region.row + 1, column: 1, width: region.width - 2, height: region.height - 1)
        switch ui.focus {
        case .alerts:
            title("Alert detail · Esc closes · ↑↓ next", focused: true, in: region, on: &frame)
            guard let alert = ui.currentAlert(in: model) else {
                frame.put("no alert selected", row: body.row, column: body.column, style: Palette.muted)
                return
            }
            var lines = alertLines(alert, model: model, width: body.width)
            let events = model.recentEvents.filter { $0.alert.key == alert.key }.suffix(8)
            if !events.isEmpty {
                lines.append(StyledLine())
                lines.append(StyledLine("Events (wall clock)", style: Palette.title))
                for event in events {
                    lines.append(StyledLine([(DisplayFormat.time(event.time) + " ", Palette.muted),
                                             (DisplayFormat.pad(event.event, to: 12), .plain),
                                             (event.alert.severity.rawValue, Palette.severity(event.alert.severity))]))
                }
            }
            frame.draw(lines, in: body)
        case .fleet:
            title("Machine detail · Esc closes · ↑↓ next", focused: true, in: region, on: &frame)
            guard let key = ui.currentMachine(in: model)?.key, let machine = model.machines[key] else {
                frame.put("no machine selected", row: body.row, column: body.column, style: Palette.muted)
                return
            }
            frame.draw(machineLines(machine, model: model, width: body.width, trendWidth: 60), in: body)
        }
    }
}
