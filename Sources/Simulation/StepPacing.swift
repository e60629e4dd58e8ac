/// How far a fleet's simulated clock may go in one step, given what its machines have not sent yet, so that the
/// simulator slows down rather than producing what its bounded queues would drop.
///
/// A step starts only when no machine has more than ``samplesPerStep`` messages queued and the fleet no more than
/// its last step produced (the broker and the network keep up; at least a few messages a machine, which any
/// connection may have in hand), and covers at most ``samplesPerStep`` samples of a machine (a step after a slow
/// one would otherwise produce a burst). A machine looked at then holds at most half its queue: never full.
/// Messages queued beyond the client (in the kernel's socket buffers, or read by the broker and not yet handled)
/// are not seen.
public struct StepPacing: Sendable {
    /// Most samples a machine produces in one step, and most messages it may have queued for a step to start.
    public let samplesPerStep: Int
    /// Most simulated seconds one step covers: ``samplesPerStep`` of the fleet's shortest sample interval.
    public let maximumStep: Double
    /// Messages the fleet may have queued for a step to start however little the last step produced.
    public let allowance: Int
    /// Messages the last step produced (0 before the first).
    public private(set) var lastProduced = 0

    /// Messages a machine may have queued, whatever the last step produced.
    public static let allowancePerMachine = 4

    /// - Parameters:
    ///   - queueCapacity: each machine's outgoing queue.
    ///   - shortestInterval: the shortest sample interval of the fleet's machines, in simulated seconds.
    ///   - machines: the fleet's machines.
    public init(queueCapacity: Int, shortestInterval: Double, machines: Int) {
        samplesPerStep = max(1, queueCapacity / 4)
        maximumStep = shortestInterval * Double(samplesPerStep)
        allowance = Self.allowancePerMachine * max(1, machines)
    }

    /// Whether a step may start, given the queued messages of connected machines (read until one says no), each
    /// standing for `machinesEach` machines of the fleet (a sample of it; the fleet's machines share their event loop
    /// and broker, so their queues grow alike).
    public func mayStep(queued: some Sequence<Int>, machinesEach: Int = 1) -> Bool {
        let limit = max(lastProduced, allowance)
        var total = 0
        for count in queued {
            total += count * machinesEach
            if count > samplesPerStep || total > limit { return false }
        }
        return true
    }

    /// Notes what a step produced; a step that produced nothing leaves the last figure.
    public mutating func stepped(producing messages: Int) {
        if messages > 0 { lastProduced = messages }
    }
}
