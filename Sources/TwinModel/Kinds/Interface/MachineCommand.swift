/// The commands a machine accepts on its `cmd` topic.
public enum MachineCommand: String, Sendable, Hashable, CaseIterable, Codable {
    case start, stop, hold, reset
    case injectFault = "inject_fault"
    case clearFault = "clear_fault"
    case setSpeed = "set_speed"
}
