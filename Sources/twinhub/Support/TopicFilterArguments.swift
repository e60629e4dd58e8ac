import ArgumentParser
import TwinHubMQTT

/// The `--topic` filters of `sub` and `record`, checked as arguments.
enum TopicFilterArguments {
    /// - Throws: `ValidationError` when none is given or one is not a valid filter, saying which and why.
    static func validate(_ filters: [String]) throws {
        guard !filters.isEmpty else { throw ValidationError("give at least one --topic") }
        do {
            for filter in filters { try Topic.validateFilter(filter) }
        } catch {
            throw ValidationError(error.description)
        }
    }
}
