import Foundation

/// A benchmark run: its figures, how each was produced, and on what machine; rendered as a text table for the
/// terminal and as Markdown for `BENCHMARKS.md`.
public struct BenchReport: Sendable {
    public var figures: [BenchFigure] = []
    /// How each benchmark was measured, by benchmark name, in a sentence or two.
    public var methods: [(benchmark: String, text: String)] = []
    /// The command line that produced the run.
    public var command: String
    /// The machine: CPU, cores, memory, OS, broker version, build.
    public var machine: String
    public var date: Date
    /// Whether this was the few-second smoke mode (its figures say little).
    public var smoke: Bool

    public init(command: String, machine: String, date: Date, smoke: Bool) {
        self.command = command
        self.machine = machine
        self.date = date
        self.smoke = smoke
    }

    /// The table for the terminal: one row per figure, columns aligned.
    public func table() -> String {
        let header = ["benchmark", "measure", "value", "peer (same run)", "ratio", "target", ""]
        let rows = figures.map { figure in
            [figure.benchmark, figure.measure, figure.value, figure.peer ?? "", figure.ratio.map(Self.ratioText) ?? "",
             figure.target ?? "", figure.met.map { $0 ? "met" : "MISSED" } ?? ""]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
        let rule = widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }

    /// The run as a Markdown section: how it was produced, the figures, and the methods.
    public func markdown() -> String {
        var lines = [
            "Run \(Self.dateText(date))\(smoke ? " (smoke mode: sizes too small to mean much)" : "") with `\(command)`",
            "on \(machine).",
            "",
            "| benchmark | measure | value | peer (same run) | ratio | target | |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for figure in figures {
            let cells = [figure.benchmark, figure.measure, figure.value, figure.peer ?? "", figure.ratio.map(Self.ratioText) ?? "",
                         figure.target ?? "", figure.met.map { $0 ? "met" : "**missed**" } ?? ""]
            lines.append("| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |")
        }
        if !methods.isEmpty {
            lines.append("")
            for method in methods { lines.append("- **\(method.benchmark)**: \(method.text)") }
        }
        return lines.joined(separator: "\n")
    }

    static func ratioText(_ ratio: Double) -> String { String(format: "%.2f", ratio) }

    static func dateText(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: date)
    }
}

/// Numbers as the report writes them.
public enum BenchNumber {
    /// `48,210` (thousands grouped), for counts and rates.
    public static func grouped(_ value: Double) -> String {
        let rounded = Int(value.rounded())
        let digits = String(abs(rounded))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return (rounded < 0 ? "-" : "") + out
    }

    /// `3.42` ms from microseconds, two decimals below 10, one below 100, none above.
    public static func milliseconds(microseconds: Double) -> String {
        let ms = microseconds / 1000
        return ms < 10 ? String(format: "%.2f", ms) : ms < 100 ? String(format: "%.1f", ms) : String(Int(ms.rounded()))
    }

    /// `87.4` (MiB, 2^20 bytes) from bytes.
    public static func mebibytes(_ bytes: Int) -> String {
        String(format: "%.1f", Double(bytes) / 1_048_576)
    }
}
