import FleetView
import Foundation
import TwinModel

extension ConsoleRenderer {
    /// Open alerts, most severe and most recent first: severity, age on the machine's clock, acknowledged (✓)
    /// or not (•), machine, and message. Cleared alerts that wait for an acknowledgement come last, dimmed.
    static func drawAlerts(model: FleetModel, ui: ConsoleUI, now: Date, in region: Region, on frame: inout Frame) {
        let alerts = ui.visibleAlerts(in: model)
        let focused = ui.focus == .alerts
        let total = model.alerts.count
        let heading = alerts.count == total ? "Alerts · \(total) open" : "Alerts · \(alerts.count) of \(total) open"
        title(heading, focused: focused, in: region, on: &frame)
        guard region.height > 2 else { return }
        let machineWidth = min(16, max(8, region.width / 6))
        frame.put(" SEV    AGE A " + DisplayFormat.pad("MACHINE", to: machineWidth) + " MESSAGE", row: region.row + 1, column: region.column,
                  style: Palette.muted, maxWidth: region.width)
        let rows = region.height - 2
        guard !alerts.isEmpty else {
            let text = total == 0 ? "no open alerts" : "no alert matches the filter"
            frame.put(" " + text, row: region.row + 2, column: region.column, style: Palette.muted, maxWidth: region.width)
            return
        }
        let selected = ui.alertIndex(in: model)
        let offset = scrollOffset(selected: selected, count: alerts.count, rows: rows)
        for (line, index) in (offset..<min(alerts.count, offset + rows)).enumerated() {
            let alert = alerts[index]
            let row = region.row + 2 + line
            let isSelected = index == selected
            var column = region.column
            column += frame.put(isSelected ? "▶" : " ", row: row, column: column)
            let severityStyle = alert.isActive ? Palette.severity(alert.severity) : Palette.severity(alert.severity).dimmed
            column += frame.put(Palette.severityLabel(alert.severity), row: row, column: column, style: severityStyle)
            let base: TextStyle = alert.isActive ? (alert.isAcknowledged ? Palette.muted : .plain) : TextStyle(dim: true)
            column += frame.put(" " + DisplayFormat.padLeft(age(of: alert, model: model, now: now), to: 5) + " ", row: row, column: column, style: base)
            column += frame.put(alert.isAcknowledged ? "✓" : "•", row: row, column: column,
                                style: alert.isAcknowledged ? Palette.success : TextStyle(foreground: .brightYellow, bold: true))
            column += frame.put(" " + DisplayFormat.pad(alert.key.machine.name, to: machineWidth) + " ", row: row, column: column, style: base)
            var message = alert.message.isEmpty ? alert.name : alert.message
            if !alert.isActive { message = "cleared: " + message }
            if alert.count > 1 { message += " ×\(alert.count)" }
            frame.put(message, row: row, column: column, style: base, maxWidth: region.column + region.width - column)
            if isSelected { highlight(row: row, in: region, focused: focused, on: &frame) }
        }
        if alerts.count > rows {
            frame.put(" \(offset + 1)-\(min(alerts.count, offset + rows)) of \(alerts.count) ", row: region.row,
                      column: region.column + region.width - 16, style: Palette.muted, maxWidth: 15)
        }
    }
}
