import Testing
import TwinModel
@testable import TwinPartition

@Suite("Ownership by lease: rendezvous hashing and the lease table")
struct LeaseTableTests {
    static let lines = (0..<300).map { "site/area\($0 % 7)/line\($0)" }

    static func owners(_ instances: [String]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: lines.map { ($0, Rendezvous.owner(of: $0, among: instances)!) })
    }

    @Test("Every unit has one owner among the instances whatever their order, and each instance gets a fair share")
    func fairShares() {
        let owners = Self.owners(["a", "b", "c"])
        #expect(owners == Self.owners(["c", "a", "b"]))
        let shares = Dictionary(grouping: owners.values, by: { $0 }).mapValues(\.count)
        #expect(Set(shares.keys) == ["a", "b", "c"])
        #expect(shares.values.allSatisfy { (70...130).contains($0) }, "\(shares)")
        #expect(Rendezvous.owner(of: "x", among: [String]()) == nil)
    }

    @Test("The weights are the same in every process: a fixed value")
    func stableWeights() {
        #expect(Rendezvous.weight(of: "site/area/line", at: "host:1") == Rendezvous.weight(of: "site/area/line", at: "host:1"))
        #expect(Rendezvous.weight(of: "site/area/line", at: "host:1") != Rendezvous.weight(of: "site/area/line", at: "host:2"))
        #expect(Rendezvous.weight(of: "ab", at: "c") != Rendezvous.weight(of: "b", at: "ac"))
    }

    @Test("When an instance leaves only its units move; when one joins, units move only to it")
    func minimalMoves() {
        let three = Self.owners(["a", "b", "c"])
        let two = Self.owners(["a", "b"])
        for line in Self.lines where three[line] != "c" { #expect(two[line] == three[line]) }
        let four = Self.owners(["a", "b", "c", "d"])
        let moved = Self.lines.filter { four[$0] != three[$0] }
        #expect(moved.allSatisfy { four[$0] == "d" })
        #expect((40...110).contains(moved.count), "\(moved.count) of 300 moved")
    }

    static func table(_ instances: Set<String>, _ leases: [String: (String?, Bool)]) -> LeaseTable {
        LeaseTable(instances: instances, leases: leases.mapValues { LeaseTable.Lease(owner: $0.0, lapsed: $0.1) })
    }

    /// Two units, one that `a` should own and one that `b` should, between instances a and b.
    static let forA = lines.first { Rendezvous.owner(of: $0, among: ["a", "b"]) == "a" }!
    static let forB = lines.first { Rendezvous.owner(of: $0, among: ["a", "b"]) == "b" }!

    @Test("Free and lapsed units are acquired by their owner only; one held alive by another instance is waited for")
    func acquire() {
        let free = Self.table(["a", "b"], [Self.forA: (nil, true), Self.forB: (nil, true)])
        #expect(free.plan(for: "a", holding: []) == LeasePlan(acquire: [Self.forA]))
        #expect(free.plan(for: "b", holding: []) == LeasePlan(acquire: [Self.forB]))
        let lapsed = Self.table(["a", "b"], [Self.forA: ("c", true)])
        #expect(lapsed.plan(for: "a", holding: []) == LeasePlan(acquire: [Self.forA]))
        let heldByB = Self.table(["a", "b"], [Self.forA: ("b", false)])
        #expect(heldByB.plan(for: "a", holding: []) == LeasePlan())
        let restarted = Self.table(["a", "b"], [Self.forA: ("a", false)])
        #expect(restarted.plan(for: "a", holding: []) == LeasePlan(acquire: [Self.forA]), "an instance restarted under its id takes its units back")
    }

    @Test("Held units are renewed; those another live instance should own are handed over (and renewed until released)")
    func renewAndHandOver() {
        let table = Self.table(["a", "b"], [Self.forA: ("a", false), Self.forB: ("a", false)])
        #expect(table.plan(for: "a", holding: [Self.forA, Self.forB]) == LeasePlan(renew: [Self.forA, Self.forB].sorted(), handOver: [Self.forB]))
        // Without b alive, a keeps both.
        let alone = Self.table(["a"], [Self.forA: ("a", false), Self.forB: ("a", false)])
        #expect(alone.plan(for: "a", holding: [Self.forA, Self.forB]) == LeasePlan(renew: [Self.forA, Self.forB].sorted()))
        // The instance asking counts as alive even before its heartbeat is read back.
        #expect(Self.table([], [Self.forA: (nil, false)]).plan(for: "a", holding: []) == LeasePlan(acquire: [Self.forA]))
    }

    @Test("Units the table gives to another, to nobody, or does not know are lost: served no more")
    func lost() {
        let table = Self.table(["a", "b"], [Self.forA: ("b", false), Self.forB: (nil, true)])
        #expect(table.plan(for: "a", holding: [Self.forA, Self.forB, "gone/x/y"]) == LeasePlan(lost: ["gone/x/y", Self.forA, Self.forB].sorted()))
    }

    @Test("A unit is a line or the aggregates, named by its path")
    func units() {
        let line = PlantPath(site: "s", area: "a", line: "l")
        #expect(PartitionUnit(name: "s/a/l") == .line(line))
        #expect(PartitionUnit(name: PartitionUnit.aggregatesName) == .aggregates)
        #expect(PartitionUnit(name: "s/a") == nil && PartitionUnit(name: "s/a/l/m") == nil)
        #expect(PartitionUnit(machine: PlantPath(site: "s", area: "a", line: "l", machine: "m")) == .line(line))
        #expect(PartitionUnit.line(line).name == "s/a/l")
        #expect(LeaseTerms().renewalInterval == .seconds(10) / 3 && LeaseTerms().takeoverBound > .seconds(13))
    }
}
