/// How long a lease lasts and how often it is renewed.
///
/// An instance renews its leases (and its own heartbeat) every third of ``duration``: two renewals may fail (a slow
/// database, a lost connection) before a lease lapses. An instance that dies keeps its units at most ``duration`` after
/// its last renewal; the others look every ``renewalInterval``, so they take its units within
/// ``takeoverBound`` (plus the time to load their twins).
public struct LeaseTerms: Sendable, Hashable {
    /// How long a lease (and an instance's heartbeat) lasts from its last renewal, on the database's clock.
    public var duration: Duration

    /// - Parameter duration: how long a lease lasts from its last renewal (10 s unless told).
    public init(duration: Duration = .seconds(10)) {
        self.duration = duration
    }

    /// How often leases are renewed and the table read: a third of ``duration``.
    public var renewalInterval: Duration { duration / 3 }

    /// The longest a dead instance's units go unowned: its leases lapse within ``duration``, and the others look
    /// again within ``renewalInterval``.
    public var takeoverBound: Duration { duration + renewalInterval }
}
