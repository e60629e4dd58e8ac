import FleetView
import Foundation
import TwinModel
import TwinHubProtocol

extension ConsoleRenderer {
    static func drawMachineDetail(_ machine: TwinSnapshot?, model: FleetModel, in region: Region, on frame: inout Frame) {
        title(machine.map { "Machine · \($0.key.name)" } ?? "Machine", in: region, on: &frame)
        let body = Region(row: region.row + 1, column: region.column + 1, width: region.width - 1, height: region.height - 1)
        guard let machine else {
            frame.put("select a machine in the fleet (Tab)", row: body.row, column: body.column, style: Palette.muted, maxWidth: body.width)
            return
        }
        frame.draw(machineLines(machine, model: model, width: body.width, trendWidth: 30), in: body)
    }

    static func drawAlertDetail(_ alert: AlertSnapshot?, model: FleetModel, now: Date, in region: Region, on frame: inout Frame) {
        title(alert.map { "Alert · \($0.key.rule)" } ?? "Alert", in: region, on: &frame)
        let body = Region(row: region.row + 1, column: region.column + 1, width: region.width - 1, height: region.height - 1)
        guard let alert else {
            frame.put("no alert selected", row: body.row, column: body.column, style: Palette.muted, maxWidth: body.width)
            return
        }
        frame.draw(alertLines(alert, model: model, width: body.width), in: body)
    }

    /// The machine's state, connectivity, KPIs and properties with unit, quality and a sparkline of recent history.
    static func machineLines(_ machine: TwinSnapshot, model: FleetModel, width: Int, trendWidth: Int) -> [StyledLine] {
        var lines: [StyledLine] = []
        lines.append(StyledLine([(machine.key.name, Palette.title), (" · \(machine.kind)", Palette.muted)]))
        var state = StyledLine([("state ", Palette.muted), (machine.state, Palette.state(machine.state))])
        if let since = machine.stateSince, let clock = model.machineTime(of: machine.key) {
            state.append(" for " + DisplayFormat.age(clock.timeIntervalSince(since)), style: Palette.muted)
        }
        if !machine.stateReason.isEmpty { state.append(" · " + machine.stateReason, style: Palette.muted) }
        lines.append(state)
        let (dot, dotStyle) = Palette.connectivity(machine.connectivity)
        var link = StyledLine([("\(dot) \(machine.connectivity)", dotStyle)])
        if !machine.connectivityReason.isEmpty { link.append(" · " + machine.connectivityReason, style: Palette.muted) }
        lines.append(link)
        let window = machine.window
        lines.append(StyledLine([("OEE ", Palette.muted), (DisplayFormat.precisePercent(window.oee), Palette.title), (" 1 h", Palette.muted),
                                 ("  A \(DisplayFormat.percent(window.availability)) P \(DisplayFormat.percent(window.performance)) Q \(DisplayFormat.percent(window.quality))", .plain)]))
        var production = StyledLine([("shift OEE \(DisplayFormat.percent(machine.shift.oee))", .plain)])
        if let counters = machine.counters { production.append(" · \(counters.total) parts, \(counters.scrap) scrap") }
        lines.append(production)
        if machine.mtbfSeconds != nil || machine.mttrSeconds != nil {
            lines.append(StyledLine("MTBF \(machine.mtbfSeconds.map(DisplayFormat.age) ?? "-") · MTTR \(machine.mttrSeconds.map(DisplayFormat.age) ?? "-")",
                                    style: Palette.muted))
        }
        if let desired = machine.desiredState {
            var line = StyledLine([("desired \(desired)", Palette.warning)])
            if let command = machine.pendingCommand { line.append(" → sending \(command)", style: Palette.warning) }
            lines.append(line)
        }
        guard !machine.readings.isEmpty else {
            lines.append(StyledLine("no properties reported yet", style: Palette.muted))
            return lines
        }
        // Name, value (9), unit (5), quality (5), and the trend in what is left, at least 8 columns of it.
        let longest = machine.readings.map(\.name.count).max() ?? 8
        let nameWidth = max(8, min(longest, 24, width - 21 - 8))
        let trendWidth = min(trendWidth, max(0, width - nameWidth - 21))
        lines.append(StyledLine(DisplayFormat.pad("PROPERTY", to: nameWidth) + "    VALUE UNIT  Q     " + (trendWidth > 0 ? "TREND" : ""),
                                style: Palette.muted))
        let history = model.histories[machine.key] ?? [:]
        for reading in machine.readings {
            var line = StyledLine(DisplayFormat.pad(reading.name, to: nameWidth))
            line.append(DisplayFormat.padLeft(DisplayFormat.number(reading.value), to: 9) + " ")
            line.append(DisplayFormat.pad(reading.unit, to: 5), style: Palette.muted)
            line.append(" " + DisplayFormat.pad(qualityLabel(reading.quality), to: 5) + " ", style: Palette.quality(reading.quality))
            if trendWidth > 0, let series = history[reading.name] {
                line.append(Sparkline.render(series, width: trendWidth), style: TextStyle(foreground: .cyan))
            }
            lines.append(line)
        }
        return lines
    }

    /// The alert's rule in words, the values it read, its times and its acknowledgement.
    static func alertLines(_ alert: AlertSnapshot, model: FleetModel, width: Int) -> [StyledLine] {
        var lines: [StyledLine] = []
        lines.append(StyledLine([(alert.severity.rawValue.uppercased(), Palette.severity(alert.severity)), ("  " + alert.name, Palette.title)]))
        lines.append(StyledLine("\(alert.key.machine.name) · \(alert.key.rule) · \(alert.status.replacingOccurrences(of: "_", with: ", "))",
                                style: Palette.muted))
        lines += StyledLine.wrapped(alert.message, width: width)
        if !alert.explanation.condition.isEmpty {
            lines += StyledLine.wrapped(alert.explanation.condition, width: width, style: TextStyle(foreground: .cyan), prefix: "rule: ")
        }
        if !alert.explanation.description.isEmpty {
            lines += StyledLine.wrapped(alert.explanation.description, width: width, style: Palette.muted)
        }
        if !alert.explanation.values.isEmpty {
            let values = alert.explanation.values.map { "\($0.name) \(DisplayFormat.number($0.value, decimals: 3))" }.joined(separator: " · ")
            lines += StyledLine.wrapped(values, width: width, prefix: "values: ")
        }
        var figures: [String] = []
        if let measure = alert.explanation.measure { figures.append("measure \(DisplayFormat.number(measure, decimals: 3))") }
        if let threshold = alert.explanation.threshold { figures.append("threshold \(DisplayFormat.number(threshold, decimals: 3))") }
        if !figures.isEmpty { lines.append(StyledLine(figures.joined(separator: " · "))) }
        var times: [String] = []
        if let raised = alert.raisedAt { times.append("raised \(DisplayFormat.time(raised))") }
        if let last = alert.lastSeen { times.append("last \(DisplayFormat.time(last))") }
        if let cleared = alert.clearedAt { times.append("cleared \(DisplayFormat.time(cleared))") }
        times.append("count \(alert.count)")
        lines.append(StyledLine(times.joined(separator: " · "), style: Palette.muted))
        if let ack = alert.acknowledgement {
            var text = "✓ acknowledged by \(ack.by.isEmpty ? "someone" : ack.by)"
            if let at = ack.at { text += " at \(DisplayFormat.time(at))" }
            if !ack.comment.isEmpty { text += ": \"\(ack.comment)\"" }
            lines += StyledLine.wrapped(text, width: width, style: Palette.success)
        } else {
            lines.append(StyledLine("• not acknowledged: press a", style: TextStyle(foreground: .brightYellow, bold: true)))
        }
        return lines
    }

    static func qualityLabel(_ quality: String) -> String {
        switch quality {
        case "good": "ok"
        case "out_of_range": "range"
        default: quality
        }
    }
}
