import FleetView
import Foundation
import TwinModel
import TwinHubProtocol

extension ConsoleRenderer {
    /// One row of the fleet list: a line's heading or a machine.
    enum FleetRow {
        case line(PlantPath)
        case machine(TwinSnapshot, index: Int)
    }

    /// Machines grouped by site, area and line: each line with its rolling OEE, each machine with its
    /// connectivity, state, OEE and worst open alert.
    static func drawFleet(model: FleetModel, ui: ConsoleUI, in region: Region, on frame: inout Frame) {
        let machines = ui.visibleMachines(in: model)
        let focused = ui.focus == .fleet
        let (online, _) = model.connectivityCounts
        title("Fleet · \(model.machines.count) \(model.machines.count == 1 ? "machine" : "machines"), \(online) online", focused: focused, in: region, on: &frame)
        let rows = region.height - 1
        guard rows > 0 else { return }
        guard !machines.isEmpty else {
            let text = !model.machines.isEmpty ? "no machine matches the filter"
                : model.serviceSeen ? "no twins yet: is a simulator on \(model.root)/?"
                : "waiting for twinhub serve --root \(model.root)"
            frame.put(" " + text, row: region.row + 1, column: region.column, style: Palette.muted, maxWidth: region.width)
            return
        }
        var list: [FleetRow] = []
        for (index, machine) in machines.enumerated() {
            let line = machine.key.parent ?? machine.key
            if index == 0 || machines[index - 1].key.parent != line { list.append(.line(line)) }
            list.append(.machine(machine, index: index))
        }
        let selected = ui.machineIndex(in: model)
        let selectedRow = list.firstIndex { if case .machine(_, let index) = $0 { index == selected } else { false } }
        let offset = scrollOffset(selected: selectedRow, count: list.count, rows: rows)
        let nameWidth = max(6, min(14, region.width - 28))
        for (line, item) in list[offset..<min(list.count, offset + rows)].enumerated() {
            let row = region.row + 1 + line
            switch item {
            case .line(let key):
                let oee = model.lines[key].map { "OEE " + DisplayFormat.percent($0.window.oee) } ?? ""
                let width = region.width - oee.count - 3
                frame.put(" " + DisplayFormat.truncate(key.description, to: width), row: row, column: region.column,
                          style: Palette.title, maxWidth: width + 1)
                frame.put(oee, row: row, column: region.column + region.width - oee.count - 1, style: Palette.title)
            case .machine(let machine, let index):
                var column = region.column
                column += frame.put(index == selected ? "▶ " : "  ", row: row, column: column)
                let (dot, dotStyle) = Palette.connectivity(machine.connectivity)
                column += frame.put(String(dot), row: row, column: column, style: dotStyle)
                column += frame.put(" " + DisplayFormat.pad(machine.key.name, to: nameWidth) + " ", row: row, column: column)
                column += frame.put(DisplayFormat.pad(machine.state, to: 11), row: row, column: column, style: Palette.state(machine.state))
                column += frame.put(DisplayFormat.padLeft(DisplayFormat.percent(machine.window.oee), to: 4), row: row, column: column)
                if let alert = model.worstAlert(of: machine.key) {
                    frame.put(" " + Palette.severityLabel(alert.severity).trimmingCharacters(in: .whitespaces), row: row, column: column,
                              style: Palette.severity(alert.severity), maxWidth: region.column + region.width - column)
                }
                if index == selected { highlight(row: row, in: region, focused: focused, on: &frame) }
            }
        }
    }
}
