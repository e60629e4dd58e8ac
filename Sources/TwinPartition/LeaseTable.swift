/// The leases as the database holds them at one moment (read in one transaction, expiries judged by the database's
/// clock), and what an instance must do about them: a value, decided with no I/O.
///
/// A unit belongs to the live instance rendezvous hashing picks (``Rendezvous``). An instance acquires the units it
/// should own once their lease is free or lapsed (never one another holds alive: that one hands it over first), renews
/// every lease it holds (also those it is handing over, until their twins are written), hands over those another live
/// instance should own, and gives up at once those the table says it no longer holds.
public struct LeaseTable: Sendable, Equatable {
    /// One unit's lease.
    public struct Lease: Sendable, Equatable {
        /// The instance holding it; `nil` when it was released or never taken.
        public var owner: String?
        /// Whether its expiry has passed (on the database's clock): another instance may take it.
        public var lapsed: Bool

        public init(owner: String?, lapsed: Bool) {
            self.owner = owner
            self.lapsed = lapsed
        }

        /// Whether `instance` may take it now: nobody holds it, its holder let it lapse, or it is `instance`'s already
        /// (an instance restarted under the same id).
        func isFree(for instance: String) -> Bool { owner == nil || lapsed || owner == instance }
    }

    /// Instances whose heartbeat has not expired.
    public var instances: Set<String>
    /// Every known unit's lease, by unit name: the catalogue of units.
    public var leases: [String: Lease]

    public init(instances: Set<String>, leases: [String: Lease]) {
        self.instances = instances
        self.leases = leases
    }

    /// The live instance that should own `unit`; `instance` counts as live (it is asking).
    public func desiredOwner(of unit: String, asking instance: String) -> String? {
        Rendezvous.owner(of: unit, among: instances.union([instance]))
    }

    /// What `instance`, which holds `held`, must do now.
    public func plan(for instance: String, holding held: Set<String>) -> LeasePlan {
        var plan = LeasePlan()
        for (unit, lease) in leases {
            let mine = desiredOwner(of: unit, asking: instance) == instance
            if held.contains(unit) {
                guard lease.owner == instance else {
                    plan.lost.append(unit)
                    continue
                }
                plan.renew.append(unit)
                if !mine { plan.handOver.append(unit) }
            } else if mine && lease.isFree(for: instance) {
                plan.acquire.append(unit)
            }
        }
        // Held units the table does not know (deleted by hand): gone too.
        plan.lost += held.filter { leases[$0] == nil }
        plan.sort()
        return plan
    }
}

/// What an instance must do in one lease round, each list sorted by unit name.
public struct LeasePlan: Sendable, Equatable {
    /// Units to take (their twins loaded, then their topics subscribed).
    public var acquire: [String] = []
    /// Units held whose lease is to be extended (every one held, including those being handed over).
    public var renew: [String] = []
    /// Units held that another live instance should own: unsubscribe, write their twins, then release.
    public var handOver: [String] = []
    /// Units this instance thought it held that the table gives to nobody or another: stop serving them at once,
    /// without writing (another may be writing them already).
    public var lost: [String] = []

    public init(acquire: [String] = [], renew: [String] = [], handOver: [String] = [], lost: [String] = []) {
        self.acquire = acquire
        self.renew = renew
        self.handOver = handOver
        self.lost = lost
    }

    mutating func sort() {
        acquire.sort()
        renew.sort()
        handOver.sort()
        lost.sort()
    }
}
