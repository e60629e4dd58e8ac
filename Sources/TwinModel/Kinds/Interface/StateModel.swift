/// Allowed states and transitions.
public struct StateModel: Sendable, Equatable {
    public var initial: MachineState
    public var transitions: [MachineState: Set<MachineState>]

    public init(initial: MachineState, transitions: [MachineState: Set<MachineState>]) {
        self.initial = initial
        self.transitions = transitions
    }

    /// Whether `to` may follow `from`. Fault, offline and maintenance can always be forced by faults
    /// and by power; these are checked by the engine, not here.
    public func allows(_ from: MachineState, _ to: MachineState) -> Bool {
        from == to || transitions[from]?.contains(to) == true
    }

    /// Whether some sequence of allowed transitions leads from `start` to `target`.
    public func reaches(_ target: MachineState, from start: MachineState) -> Bool {
        var seen: Set<MachineState> = [start]
        var frontier = [start]
        while let state = frontier.popLast() {
            if state == target { return true }
            for next in transitions[state] ?? [] where seen.insert(next).inserted { frontier.append(next) }
        }
        return false
    }
}

extension StateModel {
    /// PackML-inspired transitions, used when a kind does not list its own.
    public static let `default` = StateModel(initial: .idle, transitions: [
        .idle: [.setup, .running, .stopped, .maintenance],
        .setup: [.running, .idle, .stopped],
        .running: [.held, .starved, .idle, .stopped],
        .held: [.running, .stopped, .idle],
        .starved: [.running, .stopped, .idle],
        .stopped: [.idle, .setup, .running, .maintenance],
        .fault: [.stopped, .maintenance, .idle],
        .maintenance: [.idle, .stopped],
        .offline: [.idle],
    ])
}
