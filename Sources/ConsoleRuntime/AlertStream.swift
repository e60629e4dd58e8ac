import Console
import Foundation
import Logging
import TwinHubMQTT
import TwinModel
import TwinHubProtocol

/// The console without a screen: one line per alert event, as text or NDJSON, for pipes, logs and tests.
///
/// Alerts already open when it connects come first, as `open` lines (from their retained topics); then every
/// lifecycle event from `{root}/_alerts/events`. The session is persistent and events are QoS 1, so a short
/// disconnect loses nothing; an alert seen open again after a reconnect is not repeated. Connection changes and
/// unreadable messages go to standard error.
public enum AlertStream {
    /// How lines are written.
    public enum Format: Sendable {
        /// `time SEVERITY event machine rule: message`.
        case plain
        /// One JSON object per line: the event as the twin service published it.
        case json
    }

    /// What the stream saw, for its closing summary.
    public struct Summary: Sendable {
        public var lines = 0
        public var unreadable = 0
        public var dropped = 0
    }

    /// Runs until cancelled (or `limit` lines); `output` receives each line, `notice` each connection change or
    /// refusal, and `ready` is called once connected with the subscriptions in place.
    public static func run(options: ConsoleOptions, format: Format, limit: Int? = nil, logger: Logger,
                           output: @escaping @Sendable (String) -> Void, notice: @escaping @Sendable (String) -> Void,
                           ready: @escaping @Sendable () -> Void = {}) async throws -> Summary {
        let configuration = options.sessionConfiguration
        let topics = options.topics
        let decoder = ServiceMessageDecoder(topics: topics)
        let client = try MQTTClient(configuration, logger: logger)
        let watcher = Task {
            var wasConnected = false
            for await state in client.stateUpdates() {
                switch state {
                case .connected(let resumed):
                    if wasConnected {
                        notice("reconnected to \(configuration.broker)" + (resumed ? " (session resumed: no event missed)" : ""))
                    } else {
                        notice("following the alerts of \(topics.root)/ on \(configuration.broker)")
                    }
                    wasConnected = true
                case .reconnecting(let attempt, _, let error):
                    notice("connection lost (\(error.reason)); reconnecting, attempt \(attempt)")
                default:
                    break
                }
            }
        }
        defer { watcher.cancel() }
        let subscription: MQTTSubscription
        do {
            // Subscribed before connecting, so the events a resumed session delivers right after the CONNACK
            // already have somewhere to go.
            subscription = try await client.subscribe(to: decoder.alertFilters, qos: .atLeastOnce, bufferCapacity: options.bufferCapacity)
            try await client.connect()
        } catch {
            await client.disconnect()
            throw error
        }
        ready()
        // Read in a task of its own: cancelling (Ctrl-C) disconnects the client, which ends the stream, instead of
        // ending the subscription, which would unsubscribe and leave the persistent session nothing to queue.
        let reading = Task {
            var summary = Summary()
            var open: Set<AlertKey> = []
            for await message in subscription {
                let update: ServiceMessage?
                do {
                    update = try decoder.decode(topic: message.topic, payload: message.payload)
                } catch {
                    summary.unreadable += 1
                    notice("unreadable message on \(error)")
                    continue
                }
                var line: String?
                switch update {
                case .event(let event)?:
                    if event.closesAlert { open.remove(event.alert.key) } else { open.insert(event.alert.key) }
                    line = format == .json ? AlertLine.json(eventPayload: message.payload) : AlertLine.plain(event)
                case .alert(let alert)? where message.retain && !open.contains(alert.key):
                    open.insert(alert.key)
                    let now = Date()
                    line = format == .json
                        ? AlertLine.json(openAlertPayload: message.payload, time: now)
                        : AlertLine.plain(AlertEventMessage(event: "open", time: now, alert: alert))
                default:
                    break
                }
                guard let line else { continue }
                output(line)
                summary.lines += 1
                if let limit, summary.lines >= limit { break }
            }
            return summary
        }
        var summary = await withTaskCancellationHandler {
            await reading.value
        } onCancel: {
            Task { await client.disconnect() }
        }
        // Disconnect while the subscription is still held: the broker keeps it in the session.
        await client.disconnect()
        summary.dropped = subscription.droppedCount
        withExtendedLifetime(subscription) {}
        return summary
    }
}
