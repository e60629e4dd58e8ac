import TwinModel

extension Scenario {
    /// At most `count` of the scenario's machines, picked evenly over its list (a mix of its kinds, sites and lines).
    func machinesSpread(_ count: Int) -> [MachineInstance] {
        let stride = max(1, machines.count / count)
        return Array(machines.enumerated().filter { $0.offset % stride == 0 }.map(\.element).prefix(count))
    }
}
