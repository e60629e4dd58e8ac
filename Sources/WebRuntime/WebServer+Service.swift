import ServiceLifecycle

extension WebServer {
    /// The web server as a `Service` of a `ServiceGroup`: it serves until the group shuts down gracefully (or its task
    /// is cancelled), then stops listening and disconnects.
    public struct Runner: Service {
        public let server: WebServer
        /// Called with the port once the server accepts connections.
        public let listening: @Sendable (Int) -> Void

        public init(_ server: WebServer, listening: @escaping @Sendable (Int) -> Void = { _ in }) {
            self.server = server
            self.listening = listening
        }

        public func run() async throws {
            let (server, listening) = (server, listening)
            try await cancelWhenGracefulShutdown { try await server.run(listening: listening) }
        }
    }
}
