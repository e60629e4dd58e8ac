import Logging
import ServiceLifecycle
import Synchronization

extension AlertStream {
    /// The alert stream as a `Service` of a `ServiceGroup`: it runs until its line limit or the group shuts down
    /// gracefully (or its task is cancelled), then disconnects with its persistent session kept, as
    /// ``AlertStream/run(options:format:limit:logger:output:notice:ready:)`` does; its summary is kept for the caller.
    public final class Runner: Service {
        let options: ConsoleOptions
        let format: Format
        let limit: Int?
        let logger: Logger
        let output: @Sendable (String) -> Void
        let notice: @Sendable (String) -> Void
        let ready: @Sendable () -> Void
        private let result = Mutex<Summary?>(nil)

        /// - Parameters:
        ///   - options: the broker, the fleet's topics and the session.
        ///   - format: plain lines or NDJSON.
        ///   - limit: stop after this many lines; `nil` runs until shutdown.
        ///   - logger: where the MQTT client logs.
        ///   - output: receives each line.
        ///   - notice: receives each connection change or refusal.
        ///   - ready: called once connected with the subscriptions in place.
        public init(options: ConsoleOptions, format: Format, limit: Int? = nil, logger: Logger,
                    output: @escaping @Sendable (String) -> Void, notice: @escaping @Sendable (String) -> Void,
                    ready: @escaping @Sendable () -> Void = {}) {
            self.options = options
            self.format = format
            self.limit = limit
            self.logger = logger
            self.output = output
            self.notice = notice
            self.ready = ready
        }

        /// What the stream saw, once it has ended; `nil` before, or when it could not connect.
        public var summary: Summary? { result.withLock { $0 } }

        /// Runs the stream until its limit, graceful shutdown or cancellation.
        /// - Throws: the connection error when it cannot connect.
        public func run() async throws {
            let (options, format, limit, logger, output, notice, ready) = (options, format, limit, logger, output, notice, ready)
            let summary = try await cancelWhenGracefulShutdown {
                try await AlertStream.run(options: options, format: format, limit: limit, logger: logger, output: output, notice: notice, ready: ready)
            }
            result.withLock { $0 = summary }
        }
    }
}
