/// The order properties are computed in each sample: every property after the ones its signal reads.
public enum DependencyOrder {
    /// Property names in an order where dependencies come first; `nil` if they form a cycle.
    public static func order(_ properties: [PropertySpec]) -> [String]? {
        let names = Set(properties.map(\.name))
        var order: [String] = []
        var state: [String: Bool] = [:]  // false: visiting, true: done
        let byName = Dictionary(properties.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        func visit(_ name: String) -> Bool {
            if let done = state[name] { return done }
            state[name] = false
            for dependency in byName[name]?.signal.dependencies ?? [] where names.contains(dependency) {
                if !visit(dependency) { return false }
            }
            state[name] = true
            order.append(name)
            return true
        }
        for property in properties where !visit(property.name) { return nil }
        return order
    }

    /// A dependency cycle, as the names along it with the first repeated at the end; `nil` if none.
    public static func cycle(in properties: [PropertySpec]) -> [String]? {
        let byName = Dictionary(properties.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var path: [String] = []
        var done: Set<String> = []
        func visit(_ name: String) -> [String]? {
            if let start = path.firstIndex(of: name) { return Array(path[start...]) + [name] }
            if done.contains(name) { return nil }
            path.append(name)
            for dependency in byName[name]?.signal.dependencies ?? [] where byName[dependency] != nil {
                if let cycle = visit(dependency) { return cycle }
            }
            path.removeLast()
            done.insert(name)
            return nil
        }
        for property in properties {
            if let cycle = visit(property.name) { return cycle }
        }
        return nil
    }
}
