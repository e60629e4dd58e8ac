import FleetView
import Console
import Foundation
import Logging
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
