import FleetView
import Console
import Foundation
import Logging
import Synchronization
import TwinHubMQTT
import TwinModel
import TwinHubProtocol

/// The full-screen console: the plant model fed by MQTT, the UI state machine fed by keys, and a screen loop
/// that redraws only the cells that changed, at most ten times a second. The loop never waits on the network:
/// connecting, subscribing and following a machine's history run in their own tasks.
public enum InteractiveConsole {
    /// What wakes the screen loop.
    enum ScreenEvent: Sendable {
        case key(Key)
        case inputClosed
        case resize(TerminalSize)
        case tick
        case failed(String)
    }

    /// Why the console stopped on its own.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs until `q`, Ctrl-C, the end of input or cancellation (SIGINT, SIGTERM, SIGHUP); the caller restores
    /// the terminal.
    /// - Throws: ``Failure`` when the connection cannot be made or the client closes for good.
    /// `ready` is called once connected with the subscriptions in place.
    public static func run(options: ConsoleOptions, terminal: Terminal, colors: Bool, logger: Logger,
                           ready: @escaping @Sendable () -> Void = {}) async throws {
        let configuration = options.sessionConfiguration
        let decoder = ServiceMessageDecoder(topics: options.topics)
        let shared = SharedConsoleState(model: FleetModel(broker: configuration.broker.description, root: options.topics.root), decoder: decoder)
        let client = try MQTTClient(configuration, logger: logger)
        let (events, sink) = AsyncStream.makeStream(of: ScreenEvent.self, bufferingPolicy: .bufferingNewest(1024))
        let tickPending = TickGate()

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await state in client.stateUpdates() {
                    shared.update { $0.setConnection(ConnectionStatus(state)) }
                    if case .closed(let error?) = state { sink.yield(.failed("the connection closed: \(error)")) }
                }
            }
            group.addTask {
                for await key in terminal.keys() { sink.yield(.key(key)) }
                sink.yield(.inputClosed)
            }
            group.addTask {
                for await size in terminal.resizes() { sink.yield(.resize(size)) }
            }
            group.addTask {
                // One tick waits at most: a slow screen skips ticks instead of queueing them in front of keys.
                while !Task.isCancelled {
                    try await Task.sleep(for: .milliseconds(100))
                    if tickPending.raise() { sink.yield(.tick) }
                }
            }
            group.addTask {
                do {
                    // Twins, KPIs and metrics are state: QoS 0, from the retained copies and each change. Alerts and
                    // their events must not be missed: QoS 1 on the persistent session. Both are subscribed before
                    // connecting, so what a resumed session delivers right after the CONNACK has somewhere to go.
                    let state = try await client.subscribe(to: decoder.stateFilters, qos: .atMostOnce, bufferCapacity: options.bufferCapacity)
                    let alerts = try await client.subscribe(to: decoder.alertFilters, qos: .atLeastOnce, bufferCapacity: options.bufferCapacity)
                    try await client.connect()
                    ready()
                    shared.track(state)
                    shared.track(alerts)
                    // Unstructured, so cancelling the console does not end (and unsubscribe) them: disconnecting
                    // the client ends them, and the broker keeps the subscriptions in the session.
                    let feeds = [state, alerts].map { subscription in
                        Task { await shared.consume(subscription) }
                    }
                    for feed in feeds { await feed.value }
                } catch {
                    sink.yield(.failed("cannot connect to \(configuration.broker): \(error)"))
                }
            }

            var screen = Screen(terminal: terminal, colors: colors)
            var ui = ConsoleUI(user: options.user, faults: options.faults)
            var history = HistoryFollower(client: client, shared: shared, decoder: decoder)
            var rate = RateMeter()
            var failure: String?
            screen.draw(shared.snapshot, ui: ui)
            loop: for await event in events {
                var model = shared.snapshot
                switch event {
                case .key(.control("l")):
                    screen.redrawAll()
                case .key(let key):
                    for action in ui.handle(key, model: model, now: .now) {
                        switch action {
                        case .quit:
                            break loop
                        case .send(let intent):
                            let message = intent.message(in: options.topics)
                            do {
                                try client.send(PublishRequest(topic: message.topic, payload: message.payload, qos: .atLeastOnce))
                            } catch {
                                ui.abandonPending(because: StatusMessage("could not send to \(message.topic): \(error)", tone: .warning, time: .now))
                            }
                        }
                    }
                case .inputClosed:
                    break loop
                case .failed(let reason):
                    failure = reason
                    break loop
                case .resize(let size):
                    screen.resize(to: size)
                case .tick:
                    tickPending.lower()
                    if let perSecond = rate.sample(total: shared.receivedCount, at: .now) {
                        shared.update { $0.setReceiveStatistics(rate: perSecond, dropped: shared.droppedCount) }
                        model = shared.snapshot
                    }
                }
                ui.observe(model, now: .now)
                history.follow(ui.shownMachine(in: model))
                screen.draw(model, ui: ui)
            }
            history.stop()
            await client.disconnect()
            group.cancelAll()
            if let failure { throw Failure(description: failure) }
        }
    }
}

/// Whether a tick is already waiting in the screen loop's queue.
final class TickGate: Sendable {
    private let pending = Atomic<Bool>(false)

    /// Marks a tick as waiting; `false` if one already was.
    func raise() -> Bool { !pending.exchange(true, ordering: .acquiringAndReleasing) }

    func lower() { pending.store(false, ordering: .releasing) }
}

/// The terminal side of the screen loop: the last frame sent, so only changes go out.
struct Screen {
    let terminal: Terminal
    let colors: Bool
    private var size: TerminalSize
    private var shown: Frame?
    private var shownRevision = -1
    private var shownUI: ConsoleUI?
    private var lastDraw = Date.distantPast

    init(terminal: Terminal, colors: Bool) {
        self.terminal = terminal
        self.colors = colors
        size = Terminal.currentSize() ?? TerminalSize(width: 80, height: 24)
    }

    mutating func resize(to size: TerminalSize) {
        self.size = size
        shown = nil
    }

    /// Forgets what the screen shows, so the next draw repaints everything (Ctrl-L).
    mutating func redrawAll() {
        shown = nil
    }

    /// Draws the model, sending only the cells that differ from the screen. Skips the work when neither the
    /// model nor the UI changed, except once a second (ages move).
    mutating func draw(_ model: FleetModel, ui: ConsoleUI) {
        let now = Date()
        if shown != nil, model.revision == shownRevision, ui == shownUI, now.timeIntervalSince(lastDraw) < 1 { return }
        shownRevision = model.revision
        shownUI = ui
        lastDraw = now
        let frame = ConsoleRenderer.render(model: model, ui: ui, width: size.width, height: size.height, now: now)
        let bytes = TerminalEncoder.update(from: shown, to: frame, colors: colors)
        if !bytes.isEmpty { terminal.write(bytes) }
        shown = frame
    }
}

/// Messages per second, measured over about a second.
struct RateMeter {
    private var last: (total: Int, time: Date)?

    /// The rate since the last sample, once a second has passed; `nil` before.
    mutating func sample(total: Int, at time: Date) -> Double? {
        guard let last else {
            self.last = (total, time)
            return nil
        }
        let elapsed = time.timeIntervalSince(last.time)
        guard elapsed >= 1 else { return nil }
        self.last = (total, time)
        return Double(total - last.total) / elapsed
    }
}

/// Keeps a subscription to the history topic of the machine on show, and only that one. Following runs in its
/// own task, after the selection has rested for a moment, so moving through the fleet never waits on the broker.
struct HistoryFollower {
    let client: MQTTClient
    let shared: SharedConsoleState
    let decoder: ServiceMessageDecoder
    private var machine: PlantPath?
    private var task: Task<Void, Never>?

    init(client: MQTTClient, shared: SharedConsoleState, decoder: ServiceMessageDecoder) {
        self.client = client
        self.shared = shared
        self.decoder = decoder
    }

    mutating func follow(_ key: PlantPath?) {
        guard key != machine else { return }
        stop()
        machine = key
        shared.update { $0.keepHistory(of: key) }
        guard let key else { return }
        let (client, shared, topic) = (client, shared, decoder.historyTopic(for: key))
        task = Task {
            try? await Task.sleep(for: .milliseconds(150))
            guard !Task.isCancelled, let subscription = try? await client.subscribe(to: [topic], qos: .atMostOnce, bufferCapacity: 16) else { return }
            await withTaskCancellationHandler {
                await shared.consume(subscription)
            } onCancel: {
                subscription.cancel()
            }
        }
    }

    mutating func stop() {
        task?.cancel()
        task = nil
    }
}
