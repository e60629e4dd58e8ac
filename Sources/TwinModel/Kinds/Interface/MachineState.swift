/// The operational states a machine can be in, PackML-inspired. Every kind uses this vocabulary, so OEE
/// and the console know what each state means; a kind chooses which transitions it allows.
public enum MachineState: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// Powered, ready, not producing (outside a shift, or waiting for work).
    case idle
    /// Changeover or set-up: tooling, programs, first-article checks.
    case setup
    /// Producing parts.
    case running
    /// Paused by an operator or an interlock (PackML "held").
    case held
    /// Waiting for material from upstream (PackML "starved").
    case starved
    /// Stopped by a command; must be started again.
    case stopped
    /// Stopped by a fault; needs a reset or a repair.
    case fault
    /// Under maintenance (planned or after a failure).
    case maintenance
    /// No power or no data.
    case offline

    /// Whether the machine turns, cuts, bends or welds in this state (signals like spindle speed are live).
    public var isOperating: Bool { self == .running || self == .setup }

    /// Whether the machine counts as producing for OEE availability.
    public var isProducing: Bool { self == .running }

    public var description: String { rawValue }
}

extension MachineState {
    /// The state's position in `allCases`, for tables with one entry per state.
    @inlinable
    public var index: Int {
        switch self {
        case .idle: 0
        case .setup: 1
        case .running: 2
        case .held: 3
        case .starved: 4
        case .stopped: 5
        case .fault: 6
        case .maintenance: 7
        case .offline: 8
        }
    }
}
