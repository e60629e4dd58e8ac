/// The order properties are computed in each sample: every property after the ones its signal reads.
public enum DependencyOrder {
    /// Property names in an order where dependencies come first; `nil` if they form a cycle.
    public static func order(_ signals: [PropertySignal]) -> [String]? {
        let names = Set(signals.map(\.property))
        var order: [String] = []
        var state: [String: Bool] = [:]  // false: visiting, true: done
        let byName = Dictionary(signals.map { ($0.property, $0.signal) }, uniquingKeysWith: { first, _ in first })
        func visit(_ name: String) -> Bool {
            if let done = state[name] { return done }
            state[name] = false
            for dependency in byName[name]?.dependencies ?? [] where names.contains(dependency) {
                if !visit(dependency) { return false }
            }
            state[name] = true
            order.append(name)
            return true
        }
        for signal in signals where !visit(signal.property) { return nil }
        return order
    }

    /// A dependency cycle, as the names along it with the first repeated at the end; `nil` if none.
    public static func cycle(in signals: [PropertySignal]) -> [String]? {
        let byName = Dictionary(signals.map { ($0.property, $0.signal) }, uniquingKeysWith: { first, _ in first })
        var path: [String] = []
        var done: Set<String> = []
        func visit(_ name: String) -> [String]? {
            if let start = path.firstIndex(of: name) { return Array(path[start...]) + [name] }
            if done.contains(name) { return nil }
            path.append(name)
            for dependency in byName[name]?.dependencies ?? [] where byName[dependency] != nil {
                if let cycle = visit(dependency) { return cycle }
            }
            path.removeLast()
            done.insert(name)
            return nil
        }
        for signal in signals {
            if let cycle = visit(signal.property) { return cycle }
        }
        return nil
    }
}
