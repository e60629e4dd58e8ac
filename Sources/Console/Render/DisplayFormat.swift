import Foundation

/// Numbers, durations and text cut to fit, the same everywhere on screen. Locale-free, so snapshots are stable.
public enum DisplayFormat {
    /// A reading: at most `decimals` decimals, trailing zeros dropped (`9480`, `41.2`, `2.12`).
    public static func number(_ value: Double, decimals: Int = 2) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "-∞") }
        let scale = pow(10, Double(max(0, min(decimals, 6))))
        let rounded = (value * scale).rounded() / scale
        if abs(rounded) >= 1e15 { return String(format: "%.3g", rounded) }
        var text = String(format: "%.\(max(0, min(decimals, 6)))f", rounded)
        if text.contains(".") {
            while text.last == "0" { text.removeLast() }
            if text.last == "." { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }

    /// A fraction as a whole percentage (`72%`), or `-` when unknown.
    public static func percent(_ fraction: Double?) -> String {
        guard let fraction, fraction.isFinite, abs(fraction) <= 100 else { return "-" }
        return "\(Int((fraction * 100).rounded()))%"
    }

    /// A fraction as a percentage with one decimal (`72.3%`), or `-` when unknown.
    public static func precisePercent(_ fraction: Double?) -> String {
        guard let fraction, fraction.isFinite, abs(fraction) <= 100 else { return "-" }
        return number(fraction * 100, decimals: 1) + "%"
    }

    /// A rate rounded to a whole number with thousands separated (`1,204`); `-` when out of any sane range.
    public static func rate(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e15 else { return "-" }
        return count(Int(value.rounded()))
    }

    /// A count with thousands separated by commas (`1,204`).
    public static func count(_ value: Int) -> String {
        let digits = String(abs(value))
        var grouped = ""
        for (offset, digit) in digits.enumerated() {
            if offset > 0 && (digits.count - offset) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return value < 0 ? "-" + grouped : grouped
    }

    /// A short age or duration: `45s`, `12m`, `3h05`, `2d04`.
    public static func age(_ seconds: TimeInterval) -> String {
        guard seconds.isFinite, abs(seconds) < 1e13 else { return "-" }
        let total = max(0, Int(seconds))
        switch total {
        case ..<60: return "\(total)s"
        case ..<3600: return "\(total / 60)m"
        case ..<86_400: return "\(total / 3600)h" + twoDigits((total % 3600) / 60)
        default: return "\(total / 86_400)d" + twoDigits((total % 86_400) / 3600)
        }
    }

    /// A wall or machine time of day, `HH:mm:ss` UTC.
    public static func time(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let day = ((seconds % 86_400) + 86_400) % 86_400
        return twoDigits(day / 3600) + ":" + twoDigits((day % 3600) / 60) + ":" + twoDigits(day % 60)
    }

    /// `text` cut to `width` columns, ending in `…` when cut.
    public static func truncate(_ text: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        guard text.count > width else { return text }
        return String(text.prefix(width - 1)) + "…"
    }

    /// `text` cut or padded on the right to exactly `width` columns.
    public static func pad(_ text: String, to width: Int) -> String {
        let cut = truncate(text, to: width)
        return cut + String(repeating: " ", count: max(0, width - cut.count))
    }

    /// `text` cut or padded on the left to exactly `width` columns (numbers).
    public static func padLeft(_ text: String, to width: Int) -> String {
        let cut = truncate(text, to: width)
        return String(repeating: " ", count: max(0, width - cut.count)) + cut
    }

    /// `text` broken into lines of at most `width` columns at spaces (words longer than a line are cut).
    public static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ") {
                var word = String(word)
                while word.count > width {
                    if !line.isEmpty { lines.append(line); line = "" }
                    lines.append(String(word.prefix(width)))
                    word = String(word.dropFirst(width))
                }
                if line.isEmpty {
                    line = word
                } else if line.count + 1 + word.count <= width {
                    line += " " + word
                } else {
                    lines.append(line)
                    line = word
                }
            }
            lines.append(line)
        }
        return lines
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
