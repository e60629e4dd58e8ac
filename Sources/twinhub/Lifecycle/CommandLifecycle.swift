import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// How commands run: their parts as `Service`s of one `ServiceGroup`, shut down gracefully, in the reverse order of
/// the list, on SIGTERM, SIGINT or SIGHUP (a closed terminal or SSH session), or as soon as one part ends (it
/// returned or failed). Every part stops cleanly when asked: the twin service writes its twins, the simulator's
/// machines go offline through the broker, the console gives the terminal back. A second signal exits at once
/// (``SecondSignalExit``).
enum CommandLifecycle {
    /// The signals that stop a command.
    static let signals: [UnixSignal] = [.sigterm, .sigint, .sighup]

    /// A part of a command: when it ends, whether it returned or threw, the group shuts the others down gracefully.
    static func part(_ service: any Service, named name: String) -> ServiceGroupConfiguration.ServiceConfiguration {
        .init(service: service, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup,
              serviceName: name)
    }

    /// Runs `parts` until the first of them ends or a signal comes, then shuts the others down gracefully, the last
    /// of the list first.
    /// - Throws: the error of the first part that failed, once every part has stopped.
    static func run(_ parts: [ServiceGroupConfiguration.ServiceConfiguration], logger: Logger) async throws {
        let impatience = SecondSignalExit(signals: await UnixSignalsSequence(trapping: signals))
        let configuration = ServiceGroupConfiguration(services: [part(impatience, named: "second signal")] + parts,
                                                      gracefulShutdownSignals: signals, logger: logger)
        try await ServiceGroup(configuration: configuration).run()
    }

    /// Runs `body` until it returns, or until a signal cancels it. For the commands that do one thing and end (`pub`,
    /// `sub`, `bench`): they are not long-running services, but they stop on the same signals, the same way, through
    /// the same group, so the command line has one signal path.
    /// - Throws: what `body` throws; `CancellationError` if it was stopped before it started.
    static func run<Result: Sendable>(logger: Logger, _ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
        let result = ResultBox<Result>()
        try await run([part(ClosureService { result.set(try await cancelWhenGracefulShutdown(body)) }, named: "command")], logger: logger)
        guard let value = result.value else { throw CancellationError() }
        return value
    }
}

/// What a one-shot command's body returned, handed out of its service.
private final class ResultBox<Value: Sendable>: Sendable {
    private let stored = Mutex<Value?>(nil)

    var value: Value? { stored.withLock { $0 } }

    func set(_ value: Value) { stored.withLock { $0 = value } }
}
