import RuleLanguage

/// Reading machine states: one state, or a list of them (a rule's `while`, a property's `normal_while`).
extension YAMLNode {
    /// A state name, with a "did you mean" for a misspelt one.
    func machineState() throws(ModelError) -> MachineState {
        let text = try string("state")
        guard let state = MachineState(rawValue: text) else {
            throw error("unknown state '\(text)'\(Spelling.hint(for: text, in: MachineState.allCases.map(\.rawValue)))")
        }
        return state
    }

    /// `running` or `[running, setup]`: at least one state.
    func machineStates(_ what: String) throws(ModelError) -> Set<MachineState> {
        let items = node.sequence != nil ? try sequence(what) : [self]
        var states: Set<MachineState> = []
        for item in items {
            states.insert(try item.machineState())
        }
        guard !states.isEmpty else { throw error("\(what) needs at least one state") }
        return states
    }
}
