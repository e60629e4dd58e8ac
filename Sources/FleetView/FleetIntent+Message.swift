import TwinHubProtocol

extension FleetIntent {
    /// A message a screen's runtime publishes for an intent: QoS 1, never retained.
    public struct Message: Sendable, Equatable {
        public var topic: String
        public var payload: [UInt8]

        public init(topic: String, payload: [UInt8]) {
            self.topic = topic
            self.payload = payload
        }
    }

    /// The intent on the wire, under `topics`.
    public func message(in topics: TopicMap) -> Message {
        switch self {
        case .acknowledge(let alert, let request):
            Message(topic: topics.alertAcknowledgement(alert), payload: JSONCodec.acknowledgement(request))
        case .command(let machine, let request):
            Message(topic: topics.topic(.cmd, for: machine), payload: JSONCodec.command(request))
        case .desire(let machine, let state):
            Message(topic: topics.topic(.desired, for: machine), payload: JSONCodec.desired(state))
        }
    }
}
