/// Why a demo ended: the first of its parts to stop, or the user.
enum DemoEnding: Sendable {
    /// `q` in the console.
    case quit
    /// SIGINT, SIGTERM or SIGHUP.
    case interrupted
    /// The simulator reached `--duration`.
    case finished
    /// A part stopped on its own; the reason names it.
    case failed(String)
    /// The private broker ended on its own; the reason says how, with the end of its log.
    case brokerEnded(String)

    /// Whether the demo exits 1.
    var isFailure: Bool {
        switch self {
        case .failed, .brokerEnded: true
        case .quit, .interrupted, .finished: false
        }
    }

    /// The words for the closing line.
    var description: String {
        switch self {
        case .quit: "quit"
        case .interrupted: "stopped by a signal"
        case .finished: "the simulation reached its duration"
        case .failed(let reason), .brokerEnded(let reason): reason
        }
    }
}
