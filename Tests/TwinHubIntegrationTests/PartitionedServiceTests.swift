import Foundation
import Testing
import TestSupport
import TwinModel
import TwinPartition
import Twins

/// Several `twinhub serve` instances sharing one plant through leases in PostgreSQL (issue 26): every line served by
/// exactly one, a killed one's lines taken over, a new one given its share, and a database restart survived, with no
/// alert raised twice and no production counted twice.
@Suite("Partitioned twin service", .serialized, .timeLimit(.minutes(3)))
struct PartitionedServiceTests {
    /// Once the plant's machines are online, waits until every one's twin is stored (so every line is subscribed by its
    /// owner), then counts from a baseline of zero parts to `total`, with every machine's spindle overheated (its alert
    /// raised) on the way.
    static func warmUp(_ plant: PartitionedPlant, total: Int) async throws {
        try await plant.awaitStored("every machine's twin") { _ in true }
        try await plant.counters(total: 0)
        try await plant.awaitStored("the baseline counters") { twins in twins.values.allSatisfy { $0.counters?.total == 0 } }
        try await plant.telemetry(97.4, samples: 11)
        try await plant.counters(total: total)
        try await plant.awaitStored("\(total) parts made") { twins in twins.values.allSatisfy { $0.counters?.total == total && $0.kpi.lifetime.total == total } }
        _ = try await poll("every machine's alert raised", within: .seconds(20), lastSeen: { "\(plant.alertEvents)" }) {
            plant.raised.count == plant.machines.count ? true : nil
        }
    }

    /// No alert raised twice, every one still open in storage, and every machine's parts counted once: `total`.
    static func expectNothingDoubled(_ plant: PartitionedPlant, total: Int) async throws {
        try await plant.awaitStored("\(total) parts") { twins in twins.values.allSatisfy { $0.counters?.total == total } }
        let twins = try await PartitionedPlant.twins(plant.database)
        for machine in plant.machines {
            #expect(twins[machine]?.kpi.lifetime.total == total, "\(machine): \(twins[machine].map(PartitionedPlant.summary) ?? "none")")
        }
        #expect(plant.raised.values.allSatisfy { $0 == 1 } && plant.raised.count == plant.machines.count, "\(plant.alertEvents)")
        let alerts = try await plant.storedAlerts()
        for machine in plant.machines {
            #expect(alerts[machine] == ["spindle_overheat active_unacknowledged"], "\(machine): \(alerts[machine] ?? [])")
        }
    }

    @Test("Three instances on one broker hold every line exactly once, as rendezvous hashing says; after a kill -9 of one, the others take its lines within the bound, nothing lost or doubled",
          .cpuBound)
    func threeInstancesAndAKill() async throws {
        try await PartitionedPlant.with(lines: 6) { plant in
            let names = ["alpha", "beta", "gamma"]
            for name in names { try plant.start(name) }
            try await plant.online()
            try await plant.awaitOwners(among: names)
            try await Self.warmUp(plant, total: 10)

            // The instance with the most lines dies outright.
            let owners = plant.expectedOwners(among: names)
            let victim = names.max { a, b in owners.values.count { $0 == a } < owners.values.count { $0 == b } }!
            let survivors = names.filter { $0 != victim }
            // The site's KPIs and alert counts: the whole plant, from storage, by the holder of the aggregates' lease only.
            let machines = plant.machines.count
            _ = try await poll("the site's KPIs over every machine", within: .seconds(20), lastSeen: { "\(plant.events.siteMachines.withLock { $0 })" }) {
                plant.events.siteMachines.withLock { $0.last } == machines ? true : nil
            }
            let kpisBefore = plant.events.siteMachines.withLock { $0.count }
            _ = try await poll("the site's alert counts", within: .seconds(20), lastSeen: { "\(plant.events.siteActive.withLock { $0 })" }) {
                plant.events.siteActive.withLock { $0.last } == machines ? true : nil
            }
            try await plant.kill(victim)
            try await plant.counters(total: 20)
            try await plant.telemetry(97.4, samples: 3)
            // Leases of 3 s: taken over within 4 s of their last renewal; the deadline leaves room for a slow machine.
            try await plant.awaitOwners(among: survivors, within: .seconds(30))
            try await plant.counters(total: 30)
            try await plant.telemetry(97.4, samples: 2)
            try await Self.expectNothingDoubled(plant, total: 30)
            // An acknowledgement reaches the new owner of the machine's line.
            let moved = try #require(plant.machines.first { owners[$0.linePath!.description] == victim })
            try await plant.acknowledge(moved)
            _ = try await poll("the acknowledgement taken by the new owner", within: .seconds(20), lastSeen: { "\(plant.alertEvents)" }) {
                plant.alertEvents.contains("acknowledged \(moved)") ? true : nil
            }
            _ = try await poll("the site's KPIs after the takeover", within: .seconds(20)) {
                plant.events.siteMachines.withLock { $0.count } > kpisBefore ? true : nil
            }
            let kpis = plant.events.siteMachines.withLock { $0 }
            #expect(kpis.dropFirst(kpisBefore - 1).allSatisfy { $0 == machines }, "never a partial sum: \(kpis)")
            for survivor in survivors { #expect(plant.log(survivor).contains("took "), "\(plant.log(survivor))") }
        }
    }

    @Test("A fourth instance joins: lines move to it (handed over after their twins are written), nothing lost or doubled", .cpuBound)
    func fourthJoins() async throws {
        try await PartitionedPlant.with(lines: 6) { plant in
            let names = ["alpha", "beta", "gamma"]
            let joined = names + ["delta"]
            try #require(plant.expectedOwners(among: joined).values.contains("delta"), "the test's names give delta some lines")
            for name in names { try plant.start(name) }
            try await plant.online()
            try await plant.awaitOwners(among: names)
            try await Self.warmUp(plant, total: 10)

            try plant.start("delta")
            try await plant.awaitOwners(among: joined)
            try await plant.counters(total: 20)
            try await plant.telemetry(97.4, samples: 2)
            try await Self.expectNothingDoubled(plant, total: 20)
            let handedOver = names.filter { plant.log($0).contains("handed over") }
            #expect(!handedOver.isEmpty, "some instance handed lines over")
        }
    }

    @Test("Partitioning without a shared PostgreSQL database, or with a lease under a second, is refused before anything starts")
    func refusedArguments() async throws {
        let cases: [(arguments: [String], says: String)] = [
            (["--instance", "a"], "--partition and --instance need a shared --db postgres://"),
            (["--partition", "--db", "twins.sqlite"], "--partition and --instance need a shared --db postgres://"),
            (["--instance", "a", "--db", "postgres://u@127.0.0.1:1/d", "--lease-seconds", "0.5"], "--lease-seconds must be at least 1"),
            (["--instance", "a", "--db", "postgres://u@127.0.0.1:1/d", "--sparkplug"], "--sparkplug cannot be used with --partition or --instance yet"),
        ]
        // (ASCII only: the runner decodes standard error chunk by chunk, and a chunk may end inside a character.)
        for (arguments, says) in cases {
            let run = try ProcessRunner(["serve", "--root", "x", "--broker", "mqtt://127.0.0.1:1"] + arguments)
            #expect(try await run.exitStatus() == 64, "\(arguments): \(run.stderr)")
            #expect(run.stderr.contains(says), "\(arguments): \(run.stderr)")
        }
    }

    @Test("A clean stop writes the instance's twins, then releases its leases: its lines are taken long before a lease could lapse", .cpuBound)
    func cleanStop() async throws {
        try await PartitionedPlant.with(lines: 4) { plant in
            let names = ["alpha", "beta"]
            // Leases of 30 s, looked at every 10 s: only a release lets beta take alpha's lines within 20 s.
            for name in names { try plant.start(name, leaseSeconds: 30) }
            try await plant.online()
            try await plant.awaitOwners(among: names)
            try await Self.warmUp(plant, total: 10)
            try await plant.counters(total: 20)
            #expect(try await plant.stop("alpha") == 0, "\(plant.log("alpha"))")
            #expect(plant.log("alpha").contains("left: its leases are released"), "\(plant.log("alpha"))")
            #expect(!plant.log("alpha").contains("lease round failed"), "stopping is no failure of the database")
            try await plant.awaitOwners(among: ["beta"], within: .seconds(20))
            try await Self.expectNothingDoubled(plant, total: 20)
        }
    }

    @Test("The database stopped mid-run for longer than a lease, then started: the instances give their lines up, take them again from storage, nothing doubled", .cpuBound)
    func databaseRestart() async throws {
        try await PartitionedPlant.with(lines: 4) { plant in
            let names = ["alpha", "beta"]
            for name in names { try plant.start(name) }
            try await plant.online()
            try await plant.awaitOwners(among: names)
            try await Self.warmUp(plant, total: 10)

            try await plant.server.stop()
            try await plant.counters(total: 20)
            try await plant.telemetry(97.4, samples: 2)
            // Down long enough that every instance notices, and gives up its lines once their leases may have lapsed.
            for name in names {
                _ = try await poll("\(name) giving up its lines", within: .seconds(30), lastSeen: { plant.log(name) }) {
                    plant.log(name).contains("lease round failed") && plant.log(name).contains("its lease was not renewed in time") ? true : nil
                }
            }
            try await plant.server.start()
            try await plant.awaitOwners(among: names)
            try await plant.counters(total: 30)
            try await Self.expectNothingDoubled(plant, total: 30)
        }
    }
}
