import Synchronization

/// What the web server refused and sent, for its health document: refused requests by status, intents sent over
/// MQTT, and the streams' figures.
final class WebCounters: Sendable {
    private let refused = Mutex<[Int: Int]>([:])
    private let sent = Atomic<Int>(0)
    private let streams = Atomic<Int>(0)
    private let frames = Atomic<Int>(0)
    private let stalled = Atomic<Int>(0)
    private let oversized = Atomic<Int>(0)
    private let flooding = Atomic<Int>(0)
    private let streamRefusals = Atomic<Int>(0)
    private let resyncs = Atomic<Int>(0)
    private let fellBehind = Atomic<Int>(0)

    func refuse(status: Int) { refused.withLock { $0[status, default: 0] += 1 } }
    func noteSent() { sent.add(1, ordering: .relaxed) }
    func noteFrameSent() { frames.add(1, ordering: .relaxed) }
    func streamOpened() { streams.add(1, ordering: .relaxed) }
    func streamClosed() { streams.subtract(1, ordering: .relaxed) }
    func noteStalled() { stalled.add(1, ordering: .relaxed) }
    func noteOversized() { oversized.add(1, ordering: .relaxed) }
    func noteFlooding() { flooding.add(1, ordering: .relaxed) }
    /// A stream client was too slow to take its feeds' outputs, and catches up from the journal.
    func noteFellBehind() { fellBehind.add(1, ordering: .relaxed) }
    /// A stream's session ended: its refused messages and resyncs join the totals.
    func noteSessionEnded(refused: Int, resyncs count: Int) {
        streamRefusals.add(refused, ordering: .relaxed)
        resyncs.add(count, ordering: .relaxed)
    }

    /// Refused requests by status.
    var refusedByStatus: [Int: Int] { refused.withLock { $0 } }
    /// Intents sent over MQTT.
    var sentCount: Int { sent.load(ordering: .relaxed) }

    /// The streams' figures, by name, for the health document; `feeds` and `outputs_delivered` are the hub's.
    func streamFigures(feeds: Int, outputsDelivered: Int) -> [(String, Int)] {
        [("feeds", feeds), ("outputs_delivered", outputsDelivered), ("fell_behind", fellBehind.load(ordering: .relaxed)),
         ("open", streams.load(ordering: .relaxed)), ("frames_sent", frames.load(ordering: .relaxed)),
         ("closed_stalled", stalled.load(ordering: .relaxed)), ("closed_oversized", oversized.load(ordering: .relaxed)),
         ("closed_flooding", flooding.load(ordering: .relaxed)),
         ("messages_refused", streamRefusals.load(ordering: .relaxed)), ("resyncs", resyncs.load(ordering: .relaxed))]
    }
}
