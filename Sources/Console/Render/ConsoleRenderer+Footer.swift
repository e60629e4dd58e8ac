import FleetView
import Foundation

extension ConsoleRenderer {
    /// The key hints, or the prompt being typed, or the latest status; unreadable messages counted on the right.
    static func drawFooter(model: FleetModel, ui: ConsoleUI, now: Date, in region: Region, on frame: inout Frame) {
        let row = region.row
        var right = ""
        if model.refused > 0 { right += " ⚠ \(model.refused) unreadable" }
        if model.dropped > 0 { right += " ⚠ \(model.dropped) dropped" }
        if model.serviceShed > 0 { right += " ⚠ service shed \(model.serviceShed) samples" }
        if !right.isEmpty { right += " " }
        let room = region.width - right.count
        if let prompt = ui.prompt {
            let label: String
            switch prompt.purpose {
            case .acknowledge(let key): label = " Acknowledge \(key.machine.name) \(key.rule), comment (Enter sends, Esc cancels): "
            case .filter: label = " Filter (Enter keeps, Esc clears): "
            }
            var column = frame.put(label, row: row, column: 0, style: Palette.title, maxWidth: room)
            let shown = String(prompt.text.suffix(max(0, room - column - 1)))
            column += frame.put(shown, row: row, column: column, maxWidth: room - column)
            frame.put("█", row: row, column: column, maxWidth: room - column)
        } else if let status = ui.status {
            let style: TextStyle
            switch status.tone {
            case .info: style = .plain
            case .success: style = Palette.success
            case .warning: style = Palette.warning
            }
            frame.put(" " + status.text, row: row, column: 0, style: style, maxWidth: room)
        } else {
            let hints = region.width >= 100
                ? " ↑↓ move  Tab pane  Enter detail  a ack  f fault  c clear  s start/stop  / filter  ? help  q quit"
                : " ↑↓ Tab Enter  a ack  f fault  c clear  s start/stop  / filter  ? help  q quit"
            frame.put(hints, row: row, column: 0, style: Palette.muted, maxWidth: room)
        }
        if !right.isEmpty {
            frame.put(right, row: row, column: region.width - right.count, style: Palette.warning)
        }
    }
}
