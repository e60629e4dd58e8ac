import RuleLanguage
import FleetView
import Foundation
import TwinModel

extension ConsoleRenderer {
    /// Two lines: where and how the console is connected, and the fleet and alerts at a glance.
    static func drawHeader(model: FleetModel, ui: ConsoleUI, in region: Region, on frame: inout Frame) {
        let row = region.row
        frame.fill(row: row, column: 0, count: region.width, style: Palette.title)
        var column = frame.put(" TwinHub ", row: row, column: 0, style: Palette.focusedTitle)
        column += frame.put(" \(model.root) @ \(model.broker)  ", row: row, column: column, style: Palette.title, maxWidth: max(10, region.width / 2))
        let (text, style) = connection(model.connection)
        column += frame.put(text, row: row, column: column, style: style, maxWidth: region.width - column)
        let fleet = model.fleetRate.map { "  fleet \(DisplayFormat.rate($0)) msg/s" } ?? ""
        let console = model.receiveRate.map { "  console \(DisplayFormat.rate($0)) msg/s" } ?? ""
        // The console's own rate only when there is room for both.
        let rates = column + fleet.count + console.count <= region.width ? fleet + console : fleet
        frame.put(rates, row: row, column: column, maxWidth: region.width - column)

        let counts = model.connectivityCounts
        var second = frame.put(" \(counts.online) online", row: row + 1, column: 0, style: TextStyle(foreground: .green))
        second += frame.put(" ", row: row + 1, column: second)
        second += frame.put("\(counts.offline) offline", row: row + 1, column: second,
                            style: counts.offline > 0 ? TextStyle(foreground: .brightRed) : .plain)
        second += frame.put("  alerts ", row: row + 1, column: second, style: Palette.muted)
        let bySeverity = model.alertCounts
        for (index, severity) in Severity.allCases.reversed().enumerated() {
            if index > 0 { second += frame.put(" ", row: row + 1, column: second) }
            let count = bySeverity[severity] ?? 0
            second += frame.put("\(count) \(severity.rawValue)", row: row + 1, column: second,
                                style: count > 0 ? Palette.severity(severity) : Palette.muted, maxWidth: region.width - second)
        }
        if model.unacknowledgedCount > 0 {
            second += frame.put("  \(model.unacknowledgedCount) unack", row: row + 1, column: second, style: TextStyle(bold: true),
                                maxWidth: region.width - second)
        }
        if !ui.filter.isEmpty {
            frame.put("  filter: \(ui.filter)", row: row + 1, column: second, style: Palette.warning, maxWidth: region.width - second)
        }
    }

    static func connection(_ status: ConnectionStatus) -> (String, TextStyle) {
        switch status {
        case .connecting: ("◌ connecting", Palette.warning)
        case .connected(let resumed): (resumed ? "● connected (session resumed)" : "● connected", Palette.success)
        case .reconnecting(let attempt, let reason):
            ("◌ reconnecting (attempt \(attempt)): \(reason)", TextStyle(foreground: .brightYellow, bold: true))
        case .closed(let reason): ("○ disconnected" + (reason.map { ": \($0)" } ?? ""), TextStyle(foreground: .brightRed, bold: true))
        }
    }
}
