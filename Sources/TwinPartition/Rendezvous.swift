/// Rendezvous (highest-random-weight) hashing: every instance weighs every unit with the same hash, and a unit's
/// owner is the live instance that weighs it most. Each instance decides alone, from the list of live instances, and
/// all agree; when an instance joins it takes from each of the others about their share of its units, and when one
/// leaves only its units move, spread over the rest.
///
/// The hash is FNV-1a over the instance's and the unit's UTF-8 with a SplitMix64 finish: the same in every process
/// and build (Swift's `Hasher` is seeded per process, so it cannot be used here).
public enum Rendezvous {
    /// The weight of `unit` at `instance`.
    public static func weight(of unit: String, at instance: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in instance.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        hash = (hash ^ 0xff) &* 0x0000_0100_0000_01b3  // a separator no UTF-8 text contains
        for byte in unit.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        hash ^= hash >> 30
        hash &*= 0xbf58_476d_1ce4_e5b9
        hash ^= hash >> 27
        hash &*= 0x94d0_49bb_1331_11eb
        return hash ^ (hash >> 31)
    }

    /// The instance that owns `unit` among `instances`: the one of highest weight (the smaller id on a tie); `nil`
    /// when there is none.
    public static func owner(of unit: String, among instances: some Sequence<String>) -> String? {
        var best: (instance: String, weight: UInt64)?
        for instance in instances {
            let weight = weight(of: unit, at: instance)
            if let current = best, current.weight > weight || (current.weight == weight && current.instance < instance) { continue }
            best = (instance, weight)
        }
        return best?.instance
    }
}
