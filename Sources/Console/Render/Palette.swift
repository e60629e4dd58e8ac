import RuleLanguage
import TwinModel

/// The colours of the console: severity, machine state, connectivity and quality. Sixteen colours only, so
/// it looks the same over SSH and in every terminal; with `NO_COLOR` the encoder drops them and the
/// attributes (bold, inverse, dim) still tell things apart.
public enum Palette {
    public static func severity(_ severity: Severity) -> TextStyle {
        switch severity {
        case .critical: TextStyle(foreground: .brightWhite, background: .red, bold: true)
        case .major: TextStyle(foreground: .brightRed, bold: true)
        case .minor: TextStyle(foreground: .yellow)
        case .warning: TextStyle(foreground: .cyan)
        }
    }

    /// Four letters for a severity column.
    public static func severityLabel(_ severity: Severity) -> String {
        switch severity {
        case .critical: "CRIT"
        case .major: "MAJ "
        case .minor: "MIN "
        case .warning: "WARN"
        }
    }

    public static func state(_ state: String) -> TextStyle {
        switch MachineState(rawValue: state) {
        case .running?: TextStyle(foreground: .green)
        case .setup?: TextStyle(foreground: .brightGreen)
        case .held?, .starved?: TextStyle(foreground: .yellow)
        case .fault?: TextStyle(foreground: .brightRed, bold: true)
        case .maintenance?: TextStyle(foreground: .blue)
        case .offline?, .stopped?: TextStyle(foreground: .gray)
        case .idle?, nil: .plain
        }
    }

    /// A connectivity dot and its colour: `●` online, `○` offline, `◌` stale or unknown.
    public static func connectivity(_ status: String) -> (Character, TextStyle) {
        switch status {
        case "online": ("●", TextStyle(foreground: .green))
        case "offline": ("○", TextStyle(foreground: .brightRed))
        default: ("◌", TextStyle(foreground: .yellow))
        }
    }

    public static func quality(_ quality: String) -> TextStyle {
        switch quality {
        case "good": TextStyle(foreground: .gray)
        case "out_of_range": TextStyle(foreground: .yellow)
        case "bad": TextStyle(foreground: .brightRed)
        default: TextStyle(dim: true)
        }
    }

    public static let title = TextStyle(bold: true)
    public static let focusedTitle = TextStyle(foreground: .brightWhite, background: .blue, bold: true)
    public static let rule = TextStyle(foreground: .gray)
    public static let muted = TextStyle(foreground: .gray)
    public static let selection = TextStyle(inverse: true)
    public static let success = TextStyle(foreground: .green)
    public static let warning = TextStyle(foreground: .yellow)
}
