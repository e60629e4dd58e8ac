import TwinHubMQTT
import TwinHubProtocol
import TwinModel

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
