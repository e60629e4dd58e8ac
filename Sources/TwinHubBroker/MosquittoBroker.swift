import Foundation
import Synchronization

/// A private `mosquitto` broker process on a free loopback port, with a generated configuration.
///
/// Used by the integration tests (and later by `twinhub demo`): it writes its config into its own
/// temporary folder, starts the broker, waits until it accepts connections, and can stop it, `kill -9`
/// it and restart it on the same port. Prefer ``withBroker(_:_:)``, which always stops the process and
/// removes the folder, also when the body throws.
public final class MosquittoBroker: Sendable {
    /// What the broker should enforce.
    public struct Configuration: Sendable {
        /// User name → password. When not empty, anonymous clients are refused.
        public var users: [String: String] = [:]
        /// Access rules in mosquitto's `acl_file` syntax; `nil` means no ACL (everything allowed).
        public var acl: String?
        /// A TLS listener next to the plain one, with certificates generated for `localhost`/127.0.0.1.
        public var tls: TLSOptions?
        /// Extra lines appended to the generated `mosquitto.conf`.
        public var extraConfiguration: [String] = []
        /// Keep retained messages and persistent sessions (with their queued messages) in the broker's folder, so they
        /// survive ``MosquittoBroker/restart()``; `nil` keeps everything in memory only.
        public var persistence: Persistence?
        /// Stop the broker when this process ends, also when it is killed with SIGKILL and cannot clean up
        /// (a watchdog shell notices; see `twinhub demo`).
        public var stopsWithThisProcess = false
        /// Where to make the broker's folder (default: the system's temporary folder).
        public var parentDirectory: URL?

        /// How the broker saves its state (`persistence true` in `mosquitto.conf`).
        public struct Persistence: Sendable {
            /// Seconds between saves while something changes (`autosave_interval`). A clean ``MosquittoBroker/stop()``
            /// saves too; after ``MosquittoBroker/kill()`` the restarted broker has the last save, and loses what
            /// changed since.
            public var autosaveInterval: Int
            /// Save after every `autosaveInterval` changes rather than seconds (`autosave_on_changes`): with 1, after
            /// each message the broker takes, so that a kill loses as little as mosquitto allows.
            public var onChanges: Bool
            public init(autosaveInterval: Int = 1, onChanges: Bool = false) {
                self.autosaveInterval = autosaveInterval
                self.onChanges = onChanges
            }
        }

        /// TLS listener options.
        public struct TLSOptions: Sendable {
            /// Require clients to present a certificate signed by the generated CA.
            public var requireClientCertificate = false
            public init(requireClientCertificate: Bool = false) {
                self.requireClientCertificate = requireClientCertificate
            }
        }

        public init(users: [String: String] = [:], acl: String? = nil, tls: TLSOptions? = nil, extraConfiguration: [String] = [],
                    persistence: Persistence? = nil) {
            self.users = users
            self.acl = acl
            self.tls = tls
            self.extraConfiguration = extraConfiguration
            self.persistence = persistence
        }
    }

    /// The plain MQTT port on 127.0.0.1.
    public let port: Int
    /// The TLS port on 127.0.0.1, when TLS is on.
    public let tlsPort: Int?
    /// The broker's folder: config, log, password and ACL files, certificates.
    public let directory: URL
    /// Certificates generated for the TLS listener, when TLS is on.
    public let certificates: TestCertificates?
    /// `mqtt://127.0.0.1:{port}`.
    public var url: String { "mqtt://127.0.0.1:\(port)" }
    /// `mqtts://localhost:{tlsPort}`, when TLS is on.
    public var tlsURL: String? { tlsPort.map { "mqtts://localhost:\($0)" } }

    private let executable: URL
    private let stopsWithThisProcess: Bool
    private let process = Mutex<(broker: ChildProcess?, watchdog: ParentWatchdog?)>((nil, nil))
    /// Whether ``shutdown()`` removes ``directory`` (not for an attempt that lost its port to another process).
    private let ownsDirectory = Atomic<Bool>(true)

    /// How long ``start(_:)`` waits for the broker to accept connections.
    public static let startupTimeout: Duration = .seconds(10)

    private init(executable: URL, directory: URL, port: Int, tlsPort: Int?, certificates: TestCertificates?, stopsWithThisProcess: Bool) {
        self.executable = executable
        self.stopsWithThisProcess = stopsWithThisProcess
        self.directory = directory
        self.port = port
        self.tlsPort = tlsPort
        self.certificates = certificates
    }

    /// Writes the configuration and starts the broker.
    /// - Throws: ``BrokerError`` if `mosquitto` is missing, a file cannot be written, or it does not come up.
    public static func start(_ configuration: Configuration = .init()) async throws -> MosquittoBroker {
        let executable = try BrokerExecutables.locate("mosquitto")
        let directory = (configuration.parentDirectory ?? FileManager.default.temporaryDirectory)
            .appendingPathComponent("twinhub-broker-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        do {
            let certificates = configuration.tls == nil ? nil : try TestCertificates.generate(in: directory.appendingPathComponent("certs"))
            // A free port can be taken by another process between picking it and mosquitto binding it:
            // pick again when that happens.
            for attempt in 1...5 {
                let port = try FreePort.pick()
                let tlsPort = configuration.tls == nil ? nil : try FreePort.pick()
                let text = try ConfigurationFile.render(configuration, port: port, tlsPort: tlsPort, certificates: certificates, directory: directory)
                try text.write(to: directory.appendingPathComponent("mosquitto.conf"), atomically: true, encoding: .utf8)
                let broker = MosquittoBroker(executable: executable, directory: directory, port: port, tlsPort: tlsPort, certificates: certificates,
                                            stopsWithThisProcess: configuration.stopsWithThisProcess)
                do {
                    try await broker.launch()
                    return broker
                } catch let error as BrokerError where error.description.contains("Address already in use") && attempt < 5 {
                    broker.ownsDirectory.store(false, ordering: .relaxed)
                    try? FileManager.default.removeItem(at: directory.appendingPathComponent("mosquitto.log"))
                }
            }
            throw BrokerError("no free port after 5 attempts")
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// Starts a broker, runs `body`, then kills the broker and removes its folder, whatever happens.
    public static func withBroker<Result: Sendable>(_ configuration: Configuration = .init(), _ body: (MosquittoBroker) async throws -> Result) async throws -> Result {
        let broker = try await start(configuration)
        defer { broker.shutdown() }
        return try await body(broker)
    }

    /// Whether the broker process is running.
    public var isRunning: Bool { process.withLock { $0.broker?.isRunning ?? false } }

    /// The process ID of the running broker.
    public var processID: Int32? { process.withLock { $0.broker?.isRunning == true ? $0.broker?.processID : nil } }

    /// Waits until the broker process started last exits, and tells how (at once if none runs).
    public func exited() async -> ChildProcess.Termination {
        guard let running = process.withLock({ $0.broker }) else { return .exited(0) }
        return await running.waitForExit()
    }

    /// Stops the broker with SIGTERM (it closes connections cleanly) and waits for it to exit.
    public func stop() async {
        await signalAndWait(SIGTERM)
    }

    /// Kills the broker with SIGKILL, as a crash would, and waits for it to exit.
    public func kill() async {
        await signalAndWait(SIGKILL)
    }

    /// Starts the broker again on the same port(s) with the same configuration.
    public func restart() async throws {
        if isRunning { await stop() }
        try await launch()
    }

    /// The broker's log so far.
    public var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("mosquitto.log"), encoding: .utf8)) ?? ""
    }

    /// How many saves of its state the broker has begun (with ``Configuration/persistence``), over every run: a save
    /// begun after a change has it, and is complete once the next one begins.
    public var savesBegun: Int {
        log.components(separatedBy: "Saving in-memory database").count - 1
    }

    /// Kills the process (if running) and removes the folder. Synchronous; safe to call twice.
    public func shutdown() {
        let (running, watchdog) = process.withLock { process in
            defer { process = (nil, nil) }
            return process
        }
        if let running {
            running.send(SIGKILL)
            running.waitUntilExit()
        }
        watchdog?.dismiss()
        if ownsDirectory.load(ordering: .relaxed) {
            try? FileManager.default.removeItem(at: directory)
        }
    }

    deinit {
        shutdown()
    }

    private func launch() async throws {
        let logStart = log.utf8.count
        let child = try ChildProcess.spawn(executable.path, ["-c", directory.appendingPathComponent("mosquitto.conf").path],
                                           output: directory.appendingPathComponent("mosquitto.stderr").path)
        let watchdog: ParentWatchdog?
        do {
            watchdog = stopsWithThisProcess ? try ParentWatchdog(protecting: child.processID) : nil
        } catch {
            child.send(SIGKILL)
            throw error
        }
        let previous = process.withLock { process in
            defer { process = (child, watchdog) }
            return process.watchdog
        }
        previous?.dismiss()
        let deadline = ContinuousClock.now + Self.startupTimeout
        var delay: Duration = .milliseconds(5)
        // Ready means: this broker said it is running, is still alive, and accepts connections (a port
        // that accepts could belong to someone else).
        func ready() -> Bool {
            String(log.utf8.dropFirst(logStart))?.contains(" running") == true && child.isRunning
                && FreePort.acceptsConnections(port: port) && tlsPort.map(FreePort.acceptsConnections(port:)) != false
        }
        while !ready() {
            guard child.isRunning else {
                let output = (try? String(contentsOf: directory.appendingPathComponent("mosquitto.stderr"), encoding: .utf8)) ?? ""
                throw BrokerError("mosquitto \(child.ended.map(\.description) ?? "ended") during start-up; its log:\n\(log)\(output)")
            }
            guard ContinuousClock.now < deadline else {
                child.send(SIGKILL)
                throw BrokerError("mosquitto did not accept connections on port \(port) within \(Self.startupTimeout); its log:\n\(log)")
            }
            // Readiness of another process has no event to await; poll with a short, growing interval.
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .milliseconds(100))
        }
    }

    private func signalAndWait(_ signal: Int32) async {
        guard let running = process.withLock({ $0.broker }), running.isRunning else { return }
        running.send(signal)
        _ = await running.waitForExit()
        // The watchdog must not outlive the broker: it would signal the process ID, which may be reused.
        let watchdog = process.withLock { process in
            defer { process.watchdog = nil }
            return process.watchdog
        }
        watchdog?.dismiss()
    }
}

/// A failure of the broker helper, with the reason (and the broker's log where it helps).
public struct BrokerError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
