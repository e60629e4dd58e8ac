import Synchronization

/// Why the demo ends, as its parts tell it: the first ending recorded wins, except that the broker's own end wins
/// over a part's failure (a part that lost the broker may fail before the broker's end is noticed, and the broker's
/// end is the reason to tell).
final class DemoOutcome: Sendable {
    private let recorded = Mutex<DemoEnding?>(nil)

    /// Notes `ending`, unless an ending is already known.
    func record(_ ending: DemoEnding) {
        recorded.withLock { recorded in
            switch (recorded, ending) {
            case (nil, _), (.failed?, .brokerEnded): recorded = ending
            default: break
            }
        }
    }

    /// The ending recorded; `interrupted` when none was (only a signal stops the demo without a part saying why).
    var ending: DemoEnding { recorded.withLock { $0 } ?? .interrupted }
}
