import Foundation
import Testing
import TwinModel
import TwinPartition
import TwinStorage
@testable import TwinStoragePostgres

/// Heartbeats and leases in PostgreSQL, against a real server the test starts.
@Suite("PostgreSQL leases", .timeLimit(.minutes(2)))
struct PostgresLeaseTests {
    static let terms = LeaseTerms(duration: .seconds(10))

    @Test("A round renews the heartbeat, adds the units found to the catalogue and reads back the live instances and every lease")
    func round() async throws {
        try await PostgresServer.withServer { server in
            let storage = try await PostgresTwinStorage.open(server.url, logger: testLogger)
            _ = try await storage.leaseRound(instance: "a", terms: Self.terms, discovered: ["s/a/l1"])
            let table = try await storage.leaseRound(instance: "b", terms: Self.terms, discovered: ["s/a/l2", "s/a/l1"])
            #expect(table.instances == ["a", "b"])
            #expect(table.leases == ["s/a/l1": .init(owner: nil, lapsed: true), "s/a/l2": .init(owner: nil, lapsed: true)])
        }
    }

    @Test("Of instances racing for one unit exactly one takes it; only the owner renews or releases it; once released another takes it")
    func exclusive() async throws {
        try await PostgresServer.withServer { server in
            let storage = try await PostgresTwinStorage.open(server.url, logger: testLogger)
            _ = try await storage.leaseRound(instance: "a", terms: Self.terms, discovered: ["s/a/l"])
            for _ in 0..<5 {
                let winners = try await withThrowingTaskGroup(of: [String].self) { group in
                    for name in ["a", "b", "c", "d"] {
                        group.addTask { try await storage.acquire(["s/a/l"], for: name, terms: Self.terms).map { _ in name } }
                    }
                    return try await group.reduce(into: [String]()) { $0 += $1 }
                }
                #expect(winners.count == 1, "\(winners)")
                let owner = try #require(winners.first)
                let other = owner == "a" ? "b" : "a"
                #expect(try await storage.renew(["s/a/l"], for: other, terms: Self.terms).isEmpty)
                #expect(try await storage.acquire(["s/a/l"], for: other, terms: Self.terms).isEmpty, "held alive by \(owner)")
                try await storage.release(["s/a/l"], for: other)
                #expect(try await storage.renew(["s/a/l"], for: owner, terms: Self.terms) == ["s/a/l"], "a release by another does nothing")
                try await storage.release(["s/a/l"], for: owner)
                let table = try await storage.leaseRound(instance: owner, terms: Self.terms, discovered: [])
                #expect(table.leases["s/a/l"]?.owner == nil)
            }
        }
    }

    @Test("A lease not renewed lapses by the database's clock and another takes it; leave releases every lease and the heartbeat")
    func lapseAndLeave() async throws {
        try await PostgresServer.withServer { server in
            let storage = try await PostgresTwinStorage.open(server.url, logger: testLogger)
            let short = LeaseTerms(duration: .milliseconds(300))
            _ = try await storage.leaseRound(instance: "a", terms: short, discovered: ["s/a/l1", "s/a/l2"])
            #expect(try await storage.acquire(["s/a/l1", "s/a/l2"], for: "a", terms: short).sorted() == ["s/a/l1", "s/a/l2"])
            try await within(.seconds(10), "the lapsed lease taken by b") {
                while try await storage.acquire(["s/a/l1"], for: "b", terms: Self.terms).isEmpty {
                    try await Task.sleep(for: .milliseconds(100))  // the database's clock, not ours, says when
                }
            }
            let table = try await storage.leaseRound(instance: "b", terms: Self.terms, discovered: [])
            #expect(table.instances == ["b"], "a's heartbeat lapsed too")
            #expect(table.leases["s/a/l1"] == .init(owner: "b", lapsed: false))
            try await storage.leave(instance: "b")
            let after = try await storage.leaseRound(instance: "c", terms: Self.terms, discovered: [])
            #expect(after.instances == ["c"] && after.leases["s/a/l1"]?.owner == nil)
        }
    }

    @Test("The twins of some lines load alone (a line's name is not a prefix of another's)")
    func loadUnder() async throws {
        try await PostgresServer.withServer { server in
            let storage = try await PostgresTwinStorage.open(server.url, logger: testLogger)
            let twins = ["l1", "l10", "l2"].map { line in
                StoredTwin(record: PostgresTwinStorageTests.twin(PlantPath(site: "s", area: "a", line: line, machine: "m"), states: 1).record)
            }
            try await storage.save(twins)
            let loaded = try await storage.load(under: [PlantPath(site: "s", area: "a", line: "l1"), PlantPath(site: "s", area: "a", line: "l2")])
            #expect(loaded.twins.map(\.record.address.description) == ["s/a/l1/m", "s/a/l2/m"])
        }
    }

    @Test("A storage fenced to an instance writes only the twins of lines whose lease the instance holds")
    func fencedWrites() async throws {
        try await PostgresServer.withServer { server in
            let storage = try await PostgresTwinStorage.open(server.url, logger: testLogger)
            _ = try await storage.leaseRound(instance: "a", terms: Self.terms, discovered: ["s/a/l1", "s/a/l2"])
            _ = try await storage.acquire(["s/a/l1"], for: "a", terms: Self.terms)
            _ = try await storage.acquire(["s/a/l2"], for: "b", terms: Self.terms)
            storage.fenceWrites(to: "a")
            let twins = ["l1", "l2", "l3"].map { line in
                StoredTwin(record: PostgresTwinStorageTests.twin(PlantPath(site: "s", area: "a", line: line, machine: "m"), states: 1).record)
            }
            #expect(try await storage.save(twins).isEmpty)
            #expect(try await storage.loadAll().twins.map(\.record.address.description) == ["s/a/l1/m"], "b's line and a line nobody leases are not a's")
        }
    }

    @Test("A database of schema 1 (no lease tables) is brought to schema 2, its twins kept and their lines in the catalogue")
    func upgrade() async throws {
        try await PostgresServer.withServer { server in
            let first = try await PostgresTwinStorage.open(server.url, logger: testLogger)
            try await first.save([StoredTwin(record: PostgresTwinStorageTests.twin(states: 1).record)])
            for statement in ["DROP TABLE twinhub_leases", "DROP TABLE twinhub_instances", "UPDATE twinhub_schema SET version = 1"] {
                try await first.execute(statement)
            }
            let upgraded = try await PostgresTwinStorage.open(server.url, logger: testLogger)
            #expect(try await upgraded.loadAll().twins.count == 1)
            let table = try await upgraded.leaseRound(instance: "a", terms: Self.terms, discovered: [])
            #expect(table.leases == ["s/a/l": .init(owner: nil, lapsed: true)], "the stored twin's line is in the catalogue")
        }
    }
}
