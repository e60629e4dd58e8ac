import TwinModel

/// Which TwinHub machine state an Enum value of a model names, by its name or string value, case-insensitively:
/// TwinHub's own names and the usual synonyms (PackML's, OPC UA's machinery states, controllers' words).
enum StateNames {
    private static let synonyms: [String: MachineState] = [
        "idle": .idle, "ready": .idle, "standby": .idle, "waiting": .idle, "available": .idle,
        "setup": .setup, "changeover": .setup, "preparing": .setup, "setting": .setup,
        "running": .running, "run": .running, "execute": .running, "executing": .running, "producing": .running,
        "production": .running, "working": .running, "operating": .running, "active": .running, "busy": .running, "automatic": .running,
        "held": .held, "hold": .held, "holding": .held, "paused": .held, "pause": .held, "suspended": .held, "interrupted": .held,
        "starved": .starved, "blocked": .starved, "nomaterial": .starved, "waitingformaterial": .starved,
        "stopped": .stopped, "stop": .stopped, "stopping": .stopped, "aborted": .stopped, "off": .stopped,
        "fault": .fault, "faulted": .fault, "error": .fault, "alarm": .fault, "failure": .fault, "failed": .fault, "breakdown": .fault,
        "maintenance": .maintenance, "service": .maintenance, "repair": .maintenance, "maintaining": .maintenance,
        "offline": .offline, "disconnected": .offline, "poweroff": .offline, "unavailable": .offline,
    ]

    /// The state `text` names, or `nil`.
    static func state(_ text: String) -> MachineState? {
        let key = String(text.lowercased().unicodeScalars.filter { $0 != "_" && $0 != "-" && $0 != " " })
        return synonyms[key]
    }

    /// The states an Enum's values name (by name, or else by string value), if they look like a machine's states: at
    /// least two, `running` among them.
    static func states(of values: [DTDLEnumValue]) -> [(value: DTDLEnumValue, state: MachineState?)]? {
        let mapped = values.map { value -> (value: DTDLEnumValue, state: MachineState?) in
            if let state = state(value.name) { return (value, state) }
            if case .string(let text) = value.value { return (value, state(text)) }
            return (value, nil)
        }
        let states = Set(mapped.compactMap(\.state))
        guard states.count >= 2, states.contains(.running) else { return nil }
        return mapped
    }
}
