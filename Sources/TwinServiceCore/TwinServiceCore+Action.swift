import Foundation
import Rules
import TwinHubProtocol
import TwinModel
import Twins

extension TwinServiceCore {
    /// What the runtime is to do, in the order given.
    public enum Action: Sendable {
        /// Encode and publish.
        case publish(Publication)
        /// Store these twins, then report with ``Event/storageCompleted(_:stored:)``. Batches in flight never share a
        /// twin, so they may be written side by side and finish in any order.
        case persist(PersistBatch)
        /// Write a line to the log.
        case log(LogLine)
        /// After ``Event/stopping``: everything that could be stored is.
        case flushed
        /// After ``Event/handOver(_:)``: these lines' twins are stored and gone; their leases may be released.
        case handedOver([PlantPath])
    }

    /// An outgoing message as a domain value: the runtime's codec picks its topic and bytes.
    ///
    /// Snapshots and histories, the bulk of a tick's publications, hold a twin (one reference); the rarer cases are
    /// boxed (`indirect`), so that an action takes a few bytes rather than an alert's hundreds in a tick's buffer.
    public enum Publication: Sendable {
        /// A twin's snapshot (retained).
        case snapshot(Twin)
        /// A twin's recent samples (retained).
        case history(Twin)
        /// A site's, area's or line's KPIs (retained).
        indirect case aggregate(PlantPath, TwinStore.Aggregate)
        /// Open alerts of a site, area or line (retained; zeros once its last alert closed).
        indirect case alertCounts(PlantPath, AlertCounts)
        /// An alert on its own retained topic; a closed one empties it.
        indirect case alert(Alert)
        /// An event of an alert's lifecycle on the event stream, and the time it happened to the service.
        indirect case alertEvent(AlertEvent, time: Date)
        /// The service's metrics (retained).
        indirect case metrics(ServiceMetricsMessage)
        /// A refused message.
        indirect case deadLetter(DeadLetter)
        /// A command to a machine for its desired state.
        indirect case command(PlantPath, MachineCommandRequest)
    }

    /// A message the service refused, with why.
    public struct DeadLetter: Sendable, Equatable {
        public var topic: String
        public var reason: String
        public var detail: String
        public var payload: [UInt8]
        public var time: Date
    }

    /// A line for the log.
    public struct LogLine: Sendable, Equatable, CustomStringConvertible {
        public enum Level: Sendable {
            case info, warning, error
        }

        public var level: Level
        public var message: String

        public var description: String { message }
    }
}
