import Rules
import TwinModel

/// Which alert counts to publish: those of every site, area and line with open alerts once they may have changed,
/// and zeros for those whose last alert closed.
struct AlertCountBook: Sendable {
    private var changed = true
    private var published: Set<PlantPath> = []

    /// Alerts were published: the counts may have changed.
    mutating func noteChanged() {
        changed = true
    }

    /// The counts to publish, if they may have changed since they last were.
    mutating func take(from rules: RuleEngine) -> [(PlantPath, AlertCounts)] {
        guard changed else { return [] }
        changed = false
        return take(rules.counts())
    }

    /// `counts` to publish, with zeros for the paths published last time that have none now.
    mutating func take(_ counts: [PlantPath: AlertCounts]) -> [(PlantPath, AlertCounts)] {
        var result = counts.map { ($0.key, $0.value) }
        for path in published where counts[path] == nil { result.append((path, AlertCounts())) }
        published = Set(counts.keys)
        return result
    }
}
