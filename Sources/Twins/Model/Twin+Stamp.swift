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

    /// The last message applied of each kind that carries a sequence number.
    struct LastStamps: Sendable {
        private var storedTelemetry = Stamp.absent
        private var storedState = Stamp.absent
        private var storedCounters = Stamp.absent

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
}
