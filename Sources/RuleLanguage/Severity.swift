/// How serious an alert is, from the least to the most severe (ISA-18.2 style priorities).
public enum Severity: String, Sendable, Hashable, CaseIterable, Codable, Comparable, CustomStringConvertible {
    case warning, minor, major, critical

    /// Lower is less severe: `warning < minor < major < critical`.
    public var rank: Int {
        switch self {
        case .warning: 0
        case .minor: 1
        case .major: 2
        case .critical: 3
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

    public var description: String { rawValue }
}
