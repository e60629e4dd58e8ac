import Foundation

extension Twin {
    /// A message's sequence number and source time, to tell duplicates, stragglers and restarts apart.
    struct Stamp: Sendable, Codable, Equatable {
        var sequence: UInt64
        var time: Date

        /// No stamp yet (a NaN time, which no message has): an optional stamp would take a padded word more.
        static let absent = Stamp(sequence: 0, time: Date(timeIntervalSinceReferenceDate: .nan))
        var present: Stamp? { time.timeIntervalSinceReferenceDate.isNaN ? nil : self }
    }

    /// The last message applied of each kind that carries a sequence number, and which of the 64 sequence numbers
    /// below it were applied too (a QoS 1 redelivery of one of them is a duplicate, not a straggler).
    struct LastStamps: Sendable {
        private var storedTelemetry = Stamp.absent
        private var storedState = Stamp.absent
        private var storedCounters = Stamp.absent
        /// Bit `i` set: sequence number `last − 1 − i` was applied. In memory only: a restored twin starts empty.
        var appliedBelow: (telemetry: UInt64, state: UInt64, counters: UInt64) = (0, 0, 0)

        init(telemetry: Stamp? = nil, state: Stamp? = nil, counters: Stamp? = nil) {
            self.telemetry = telemetry
            self.state = state
            self.counters = counters
        }

        var telemetry: Stamp? {
            get { storedTelemetry.present }
            set { storedTelemetry = newValue ?? .absent }
        }
        var state: Stamp? {
            get { storedState.present }
            set { storedState = newValue ?? .absent }
        }
        var counters: Stamp? {
            get { storedCounters.present }
            set { storedCounters = newValue ?? .absent }
        }
    }

    /// The window of applied sequence numbers once `stamp` is applied after `last`: shifted up, with `last` in it;
    /// empty after a restart of the machine's numbering.
    static func window(_ window: UInt64, from last: Stamp?, to stamp: Stamp) -> UInt64 {
        guard let last, stamp.sequence > last.sequence else { return 0 }
        let shift = stamp.sequence - last.sequence
        guard shift <= 64 else { return 0 }
        return (shift == 64 ? 0 : window << shift) | (1 << (shift - 1))
    }

    /// Whether sequence number `sequence`, below `last`'s, is in `window`: applied already.
    static func wasApplied(_ sequence: UInt64, below last: Stamp, in window: UInt64) -> Bool {
        guard sequence < last.sequence else { return false }
        let distance = last.sequence - sequence
        return distance <= 64 && window & (1 << (distance - 1)) != 0
    }
}
