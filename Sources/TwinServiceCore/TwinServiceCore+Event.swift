import Foundation
import Rules
import TwinModel
import TwinStorage
import Twins
import TwinHubProtocol

extension TwinServiceCore {
    /// What the core is told.
    public enum Event: Sendable {
        /// A message on a machine's channel, decoded (or refused by its decoder).
        case machine(MachineMessage)
        /// A message refused before it reached a machine (a Sparkplug topic or payload its host refused): counted under
        /// its reason, logged sparingly and dead-lettered.
        case refused(RefusedMessage)
        /// An acknowledgement of an alert, decoded (or refused by its decoder).
        case acknowledgement(AcknowledgementMessage)
        /// An empty message on a machine's topic: the standard MQTT way to delete a retained message. Nothing to apply
        /// or refuse: counted and logged.
        case retainedDeleted(machine: PlantPath, channel: TopicMap.Channel, topic: String)
        /// The clock (a few times a second).
        case tick(Tick)
        /// Time to write the twins changed since the last write (every `persistInterval`).
        case writeDue
        /// A batch handed out by ``Action/persist(_:)`` is stored (`stored`), or could not be: its twins are then
        /// written again with the next batch, and the events waiting for them wait for that one.
        case storageCompleted(PersistBatch.ID, stored: Bool)
        /// The service starts: the twins loaded from storage (none without), at `now`.
        case restored([StoredTwin], at: Date)
        /// The service stops: what is unsaved is written; ``Action/flushed`` says when all of it is.
        case stopping
        /// A partitioned instance took the leases of `lines`: the twins of their machines, loaded from storage, at `now`.
        /// Their open alerts are published again; nothing is raised again.
        case adopted([StoredTwin], lines: [PlantPath], at: Date)
        /// `lines` go to another instance (their topics are unsubscribed and their messages applied): their twins are
        /// written, then leave; ``Action/handedOver(_:)`` says when the leases may be released.
        case handOver([PlantPath])
        /// This instance holds the aggregates' lease: every stored twin, read at `now`, from which the plant's
        /// aggregates and alert counts are published (whole, never the sums of this instance's share).
        case plantFigures([StoredTwin], at: Date)
        /// The leases of `lines` were lost (another instance may hold them now): their twins leave at once, unwritten.
        case dropped([PlantPath])
    }

    /// A message from a machine, decoded off the core.
    public struct MachineMessage: Sendable {
        public var machine: PlantPath
        public var channel: TopicMap.Channel
        public var decoded: Result<TwinStore.Decoded, PayloadError>
        /// Where it came from and what it was, for a dead letter.
        public var topic: String
        public var payload: [UInt8]
        public var received: Date
        /// How long it waited between the MQTT client and the core, when the runtime knows.
        public var waited: Duration?

        public init(machine: PlantPath, channel: TopicMap.Channel, decoded: Result<TwinStore.Decoded, PayloadError>, topic: String,
                    payload: [UInt8], received: Date, waited: Duration? = nil) {
            self.machine = machine
            self.channel = channel
            self.decoded = decoded
            self.topic = topic
            self.payload = payload
            self.received = received
            self.waited = waited
        }
    }

    /// A message refused by a decoder that could not tell its machine, with why.
    public struct RefusedMessage: Sendable {
        public var topic: String
        /// What to count it under (`sparkplug_malformed_payload`).
        public var reason: String
        public var detail: String
        public var payload: [UInt8]
        public var received: Date

        public init(topic: String, reason: String, detail: String, payload: [UInt8], received: Date) {
            self.topic = topic
            self.reason = reason
            self.detail = detail
            self.payload = payload
            self.received = received
        }
    }

    /// An acknowledgement from `…/alert/{rule}/ack`, decoded off the core.
    public struct AcknowledgementMessage: Sendable {
        public var alert: AlertKey
        public var decoded: Result<AcknowledgementRequest, PayloadError>
        public var topic: String
        public var payload: [UInt8]
        public var received: Date

        public init(alert: AlertKey, decoded: Result<AcknowledgementRequest, PayloadError>, topic: String, payload: [UInt8],
                    received: Date) {
            self.alert = alert
            self.decoded = decoded
            self.topic = topic
            self.payload = payload
            self.received = received
        }
    }

    /// A tick of the clock.
    public struct Tick: Sendable {
        public var now: Date
        /// Present when aggregates and metrics are due: the figures only the runtime knows.
        public var metrics: ServiceMetrics.RuntimeFigures?

        public init(now: Date, metrics: ServiceMetrics.RuntimeFigures? = nil) {
            self.now = now
            self.metrics = metrics
        }
    }
}
