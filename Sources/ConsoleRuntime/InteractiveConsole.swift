import Console
import Foundation
import Logging
import TwinHubMQTT
import TwinModel

/// The full-screen console: the plant model fed by MQTT, the UI state machine fed by keys, and a screen loop
/// that redraws only the cells that changed, at most ten times a second.
public enum InteractiveConsole {
    /// What wakes the screen loop.
    enum ScreenEvent: Sendable {
        case key(Key)
        case resize(TerminalSize)
        case tick
    }

    /// Runs until `q`, Ctrl-C or cancellation (SIGINT, SIGTERM, SIGHUP); the caller restores the terminal.
    public static func run(options: ConsoleOptions, terminal: Terminal, colors: Bool, logger: Logger) async throws {
        let configuration = options.sessionConfiguration
        let decoder = ConsoleDecoder(topics: options.topics)
        let shared = SharedConsoleState(model: ConsoleModel(broker: configuration.broker.description, root: options.topics.root), decoder: decoder)
        let client = try MQTTClient(configuration, logger: logger)
        let (events, sink) = AsyncStream.makeStream(of: ScreenEvent.self, bufferingPolicy: .bufferingNewest(1024))

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await state in client.stateUpdates() {
                    shared.update { $0.setConnection(ConnectionStatus(state)) }
                }
            }
            group.addTask {
                for await key in terminal.keys() { sink.yield(.key(key)) }
            }
            group.addTask {
                for await size in terminal.resizes() { sink.yield(.resize(size)) }
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: .milliseconds(100))
                    sink.yield(.tick)
                }
            }
            // The first draw happens before the connection, so a slow broker shows "connecting".
            var screen = Screen(terminal: terminal, colors: colors)
            var ui = ConsoleUI(topics: options.topics, user: options.user, faults: options.faults)
            screen.draw(shared.snapshot, ui: ui)

            try await client.connect()
            let subscription = try await client.subscribe(to: decoder.filters, qos: .atLeastOnce, bufferCapacity: options.bufferCapacity)
            group.addTask {
                for await message in subscription { shared.apply(topic: message.topic, payload: message.payload) }
            }

            var history = HistoryFollower(client: client, shared: shared, decoder: decoder)
            var rate = RateMeter()
            for await event in events {
                var model = shared.snapshot
                switch event {
                case .key(let key):
                    for action in ui.handle(key, model: model, now: .now) {
                        switch action {
                        case .quit:
                            group.cancelAll()
                            await history.stop()
                            await client.disconnect()
                            return
                        case .publish(let topic, let payload):
                            do {
                                try client.send(PublishRequest(topic: topic, payload: payload, qos: .atLeastOnce))
                            } catch {
                                ui.report(StatusMessage("could not send to \(topic): \(error)", tone: .warning, time: .now))
                            }
                        }
                    }
                case .resize(let size):
                    screen.resize(to: size)
                case .tick:
                    if let perSecond = rate.sample(total: shared.receivedCount, at: .now) {
                        shared.update { $0.setReceiveStatistics(rate: perSecond, dropped: subscription.droppedCount) }
                        model = shared.snapshot
                    }
                }
                ui.observe(model, now: .now)
                await history.follow(ui.shownMachine(in: model))
                screen.draw(model, ui: ui)
            }
            group.cancelAll()
            await history.stop()
            await client.disconnect()
        }
    }
}

/// The terminal side of the screen loop: the last frame sent, so only changes go out.
struct Screen {
    let terminal: Terminal
    let colors: Bool
    private var size: TerminalSize
    private var shown: Frame?
    private var shownRevision = -1
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

    /// Draws the model, sending only the cells that differ from the screen.
    mutating func draw(_ model: ConsoleModel, ui: ConsoleUI) {
        let frame = ConsoleRenderer.render(model: model, ui: ui, width: size.width, height: size.height, now: .now)
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

/// Keeps a subscription to the history topic of the machine on show, and only that one.
struct HistoryFollower {
    let client: MQTTClient
    let shared: SharedConsoleState
    let decoder: ConsoleDecoder
    private var machine: MachineAddress?
    private var subscription: MQTTSubscription?
    private var task: Task<Void, Never>?

    init(client: MQTTClient, shared: SharedConsoleState, decoder: ConsoleDecoder) {
        self.client = client
        self.shared = shared
        self.decoder = decoder
    }

    mutating func follow(_ key: MachineAddress?) async {
        guard key != machine else { return }
        await stop()
        machine = key
        shared.update { $0.keepHistory(of: key) }
        guard let key, let subscription = try? await client.subscribe(to: [decoder.historyTopic(for: key)], qos: .atLeastOnce, bufferCapacity: 16) else {
            return
        }
        self.subscription = subscription
        let shared = shared
        task = Task {
            for await message in subscription { shared.apply(topic: message.topic, payload: message.payload) }
        }
    }

    mutating func stop() async {
        subscription?.cancel()
        task?.cancel()
        subscription = nil
        task = nil
    }
}
