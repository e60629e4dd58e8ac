import Logging
import ServiceLifecycle

extension InteractiveConsole {
    /// The full-screen console as a `Service` of a `ServiceGroup`: it runs until the user quits (`q`, the end of
    /// input) or the group shuts down gracefully (or its task is cancelled), then disconnects. The caller owns the
    /// terminal and restores it.
    public struct Runner: Service {
        let options: ConsoleOptions
        let terminal: Terminal
        let colors: Bool
        let logger: Logger
        let ready: @Sendable () -> Void

        /// - Parameters:
        ///   - options: the broker, the fleet's topics, the user and the fault menus.
        ///   - terminal: the terminal in full-screen mode.
        ///   - colors: whether to draw in colour.
        ///   - logger: where the MQTT client logs.
        ///   - ready: called once connected with the subscriptions in place.
        public init(options: ConsoleOptions, terminal: Terminal, colors: Bool, logger: Logger,
                    ready: @escaping @Sendable () -> Void = {}) {
            self.options = options
            self.terminal = terminal
            self.colors = colors
            self.logger = logger
            self.ready = ready
        }

        /// Runs the console until the user quits, graceful shutdown or cancellation.
        /// - Throws: ``InteractiveConsole/Failure`` when the connection cannot be made or the client closes for good.
        public func run() async throws {
            let (options, terminal, colors, logger, ready) = (options, terminal, colors, logger, ready)
            try await cancelWhenGracefulShutdown {
                try await InteractiveConsole.run(options: options, terminal: terminal, colors: colors, logger: logger, ready: ready)
            }
        }
    }
}
