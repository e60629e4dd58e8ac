import ArgumentParser
import Foundation
import Logging

/// Options every command shares: where the broker is and how much to log.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Broker URL: mqtt://[user:pass@]host[:port] or mqtts://…", valueName: "url"))
    var broker: String = ProcessInfo.processInfo.environment["TWINHUB_BROKER"] ?? "mqtt://localhost:1883"

    @Option(name: .long, help: "How much to log on standard error.")
    var logLevel: LogLevelArgument = .warning

    /// Sets up logging to standard error. Call once, at the start of a command's `run()`: a process runs
    /// one command, and swift-log allows one bootstrap.
    func bootstrapLogging() -> Logger {
        Self.bootstrapLogging(level: logLevel.level)
    }

    /// Sets up logging to standard error at `level`; once per process.
    static func bootstrapLogging(level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "twinhub")
    }

    /// Sets up logging that writes nothing: for a full-screen view, where log lines would tear the screen.
    func bootstrapSilentLogging() -> Logger {
        Self.bootstrapSilentLogging()
    }

    /// Sets up logging that writes nothing; once per process.
    static func bootstrapSilentLogging() -> Logger {
        LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
        return Logger(label: "twinhub")
    }
}

/// A `Logger.Level` as a command-line argument.
struct LogLevelArgument: ExpressibleByArgument {
    let level: Logger.Level
    static let warning = LogLevelArgument(level: .warning)

    init(level: Logger.Level) { self.level = level }

    init?(argument: String) {
        guard let level = Logger.Level(rawValue: argument.lowercased()) else { return nil }
        self.level = level
    }

    static var allValueStrings: [String] { Logger.Level.allCases.map(\.rawValue) }
    var defaultValueDescription: String { level.rawValue }
}
