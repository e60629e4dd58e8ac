import Foundation
import Synchronization
import TestSupport
import TwinHubBroker
import TwinHubMQTT
import TwinHubProtocol
import TwinModel
import TwinPartition
import TwinStorage
@testable import TwinStoragePostgres
import Twins

/// A plant of `lines` lines of two machines each (`site/area/l{n}/m1`, `…/m2`) played by the test over MQTT, served by
/// partitioned `twinhub serve` instances on one broker and one PostgreSQL database: the machines' messages, what the
/// instances publish, and what the database holds.
final class PartitionedPlant: Sendable {
    static let topics = try! TopicMap(root: "itest")
    let broker: MosquittoBroker
    let server: PostgresServer
    let lines: [PlantPath]
    let machines: [PlantPath]
    private let client: MQTTClient
    /// The database as another program sees it (no heartbeat: it is no instance).
    let database: PostgresTwinStorage
    private let kinds: URL
    private let players = Mutex<[PlantPath: Player]>([:])
    /// Every alert event published, as `event machine-path`.
    let events: EventLog
    private let watcher: Task<Void, Never>
    let instances = Mutex<[String: ProcessRunner]>([:])

    /// A machine's clock and sequence.
    private struct Player {
        var sequence: UInt64 = 0
        var clock = AlertServiceTests.PlayedMachine.start
    }

    private init(broker: MosquittoBroker, server: PostgresServer, lines count: Int, client: MQTTClient, database: PostgresTwinStorage,
                 kinds: URL, events subscription: MQTTSubscription) {
        self.broker = broker
        self.server = server
        lines = (1...count).map { PlantPath(site: "site", area: "area", line: "l\($0)") }
        machines = lines.flatMap { line in ["m1", "m2"].map { PlantPath(site: line.site, area: line.area!, line: line.line!, machine: $0) } }
        self.client = client
        self.database = database
        self.kinds = kinds
        let events = EventLog()
        self.events = events
        watcher = Task {
            for await message in subscription {
                guard let json = try? SimulatorTests.json(message) else { continue }
                if message.topic == Self.topics.aggregate(PlantPath(site: "site")), let machines = json["machines"] as? Int {
                    events.siteMachines.withLock { $0.append(machines) }
                    continue
                }
                if message.topic == Self.topics.alertCounts(PlantPath(site: "site")), let active = json["active"] as? Int {
                    events.siteActive.withLock { $0.append(active) }
                    continue
                }
                guard let event = json["event"] as? String,
                      let alert = json["alert"] as? [String: Any], let line = alert["line"] as? String, let machine = alert["machine"] as? String else { continue }
                events.entries.withLock { $0.append("\(event) site/area/\(line)/\(machine)") }
            }
        }
    }

    /// Starts a broker and a database, runs `body` with the plant, then stops every instance left.
    static func with(lines: Int, _ body: (PartitionedPlant) async throws -> Void) async throws {
        try await PostgresServer.withServer { server in
            try await MosquittoBroker.withBroker { broker in
                let kinds = FileManager.default.temporaryDirectory.appendingPathComponent("twinhub-kinds-\(UUID().uuidString.prefix(8))")
                try FileManager.default.createDirectory(at: kinds, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: kinds) }
                try AlertServiceTests.kindYAML.write(to: kinds.appendingPathComponent("test-mill.yaml"), atomically: true, encoding: .utf8)
                let client = try await connectedClient(broker.url)
                let site = PlantPath(site: "site")
                let events = try await client.subscribe(to: [topics.alertEvents, topics.aggregate(site), topics.alertCounts(site)], qos: .atLeastOnce)
                let database = try await PostgresTwinStorage.open(server.url, logger: testLogger)
                let plant = PartitionedPlant(broker: broker, server: server, lines: lines, client: client, database: database, kinds: kinds,
                                             events: events)
                defer { plant.watcher.cancel() }
                do {
                    try await body(plant)
                } catch {
                    plant.stopAll()
                    throw error
                }
                plant.stopAll()
                await client.disconnect()
            }
        }
    }

    // MARK: Instances

    /// Starts `twinhub serve` as instance `name`, with leases of `leaseSeconds`.
    @discardableResult
    func start(_ name: String, leaseSeconds: Double = 3) throws -> ProcessRunner {
        let process = try ProcessRunner(["serve", "--root", "itest", "--broker", broker.url, "--db", server.url, "--instance", name,
                                         "--lease-seconds", "\(leaseSeconds)", "--twins", kinds.path, "--log-level", "info"])
        instances.withLock { $0[name] = process }
        return process
    }

    /// Kills instance `name` outright.
    func kill(_ name: String) async throws {
        guard let process = instances.withLock({ $0.removeValue(forKey: name) }) else { return }
        process.kill(SIGKILL)
        _ = try await process.exitStatus()
    }

    /// Stops instance `name` cleanly (SIGTERM) and returns its exit status.
    func stop(_ name: String) async throws -> Int32 {
        guard let process = instances.withLock({ $0[name] }) else { return -1 }
        process.kill(SIGTERM)
        return try await process.exitStatus()
    }

    private func stopAll() {
        for process in instances.withLock({ $0.values }) { process.kill(SIGKILL) }
    }

    /// What an instance wrote to standard error.
    func log(_ name: String) -> String { instances.withLock { $0[name]?.stderr } ?? "" }

    /// The owner every unit should have among `names`.
    func expectedOwners(among names: [String]) -> [String: String] {
        let units = lines.map(\.description) + [PartitionUnit.aggregatesName]
        return Dictionary(uniqueKeysWithValues: units.map { ($0, Rendezvous.owner(of: $0, among: names)!) })
    }

    /// Waits until every line and the aggregates are held as rendezvous hashing over `names` says.
    func awaitOwners(among names: [String], within limit: Duration = .seconds(40)) async throws {
        let expected = expectedOwners(among: names)
        let seen = Mutex<[String: String]>([:])
        do {
            try await within(limit, "leases held as \(expected.sorted { $0.key < $1.key })") { [database] in
                while true {
                    let holders = try await database.leaseHolders()
                    seen.withLock { $0 = holders }
                    if holders == expected { return }
                    try await Task.sleep(for: .milliseconds(100))  // another process's database: polled
                }
            }
        } catch {
            throw TimedOut(what: "\(error); last seen: \(seen.withLock { $0 }.sorted { $0.key < $1.key }); instances:\n\(logs)")
        }
    }

    /// The end of every instance's log.
    var logs: String {
        instances.withLock { $0 }.sorted { $0.key < $1.key }.map { "--- \($0.key):\n\($0.value.stderr.suffix(3000))" }.joined(separator: "\n")
    }

    // MARK: Machines

    /// Every machine says it is online (retained, as the simulator does).
    func online() async throws {
        for machine in machines {
            try await client.publish(to: Self.topics.topic(.status, for: machine), payload: JSONCodec.status(online: true, time: nil, reason: "test"),
                                     qos: .atLeastOnce, retain: true)
        }
    }

    /// Every machine reports `total` parts made so far (retained, QoS 1, as the simulator sends counters).
    func counters(total: Int) async throws {
        for machine in machines {
            let (sequence, clock) = players.withLock { players in
                players[machine, default: Player()].sequence += 1
                return (players[machine]!.sequence, players[machine]!.clock)
            }
            let counters = ProductionCounters(time: clock, sequence: sequence, total: total, good: total, scrap: 0, idealCycleTime: .seconds(1))
            try await client.publish(to: Self.topics.topic(.counters, for: machine), payload: JSONCodec.counters(counters), qos: .atLeastOnce,
                                     retain: true)
        }
    }

    /// Every machine sends `count` spindle temperatures of `temperature`, one machine second apart. 97.4 °C for 11 samples
    /// raises `spindle_overheat`.
    func telemetry(_ temperature: Double, samples count: Int) async throws {
        for _ in 0..<count {
            for machine in machines {
                let (sequence, clock) = players.withLock { players in
                    players[machine, default: Player()].sequence += 1
                    defer { players[machine]!.clock.addTimeInterval(1) }
                    return (players[machine]!.sequence, players[machine]!.clock)
                }
                let sample = TelemetrySample(time: clock, sequence: sequence,
                                             values: [.init(property: "spindle_temperature", value: temperature, unit: "°C")])
                try await client.publish(to: Self.topics.topic(.telemetry, for: machine),
                                         payload: JSONCodec.telemetry(sample, machine: machine.name, kind: "test_mill"), qos: .atLeastOnce)
            }
        }
    }

    /// Acknowledges `machine`'s `spindle_overheat` alert.
    func acknowledge(_ machine: PlantPath) async throws {
        try await client.publish(to: Self.topics.alertAcknowledgement(AlertKey(machine: machine, rule: "spindle_overheat")),
                                 string: #"{"by":"test","comment":"seen"}"#, qos: .atLeastOnce)
    }

    // MARK: What came of it

    /// The alert events so far, as `event machine-path`.
    var alertEvents: [String] { events.entries.withLock { $0 } }

    /// How many times each machine's alert was raised.
    var raised: [String: Int] {
        Dictionary(grouping: alertEvents.filter { $0.hasPrefix("raised ") }, by: { String($0.dropFirst("raised ".count)) }).mapValues(\.count)
    }

    /// Waits until `check` holds for the stored twins (every machine's), polling the database.
    func awaitStored(_ what: String, within limit: Duration = .seconds(40), _ check: @escaping @Sendable ([PlantPath: Twin]) -> Bool) async throws {
        let machines = machines
        let seen = Mutex("")
        try await within(limit, "\(what); last seen: \(seen.withLock { $0 })") { [database] in
            while true {
                let twins = try await Self.twins(database)
                seen.withLock { $0 = machines.map { "\($0.name)@\($0.line!): \(twins[$0].map(Self.summary) ?? "none")" }.joined(separator: "; ") }
                if machines.allSatisfy({ twins[$0] != nil }) && check(twins) { return }
                try await Task.sleep(for: .milliseconds(200))  // another process's database: polled
            }
        }
    }

    /// The stored twins, typed as a service would keep them.
    static func twins(_ database: PostgresTwinStorage) async throws -> [PlantPath: Twin] {
        var store = TwinStore(kinds: [:])
        store.restore(try await database.loadAll().twins.map(\.record))
        return store.twins
    }

    /// The stored twins' rules' open alerts, by machine.
    func storedAlerts() async throws -> [PlantPath: [String]] {
        var alerts: [PlantPath: [String]] = [:]
        for twin in try await database.loadAll().twins {
            alerts[twin.record.address] = (twin.rules ?? [:]).compactMap { $0.value.alert.map { "\($0.rule) \($0.status.rawValue)" } }
        }
        return alerts
    }

    static func summary(_ twin: Twin) -> String {
        "counters \(twin.counters?.total ?? -1), made \(twin.kpi.lifetime.total)"
    }
}

/// Alert events, the site's KPIs and alert counts as the plant's watcher saw them.
final class EventLog: Sendable {
    let entries = Mutex<[String]>([])
    /// The machines of every KPI of the site published, in order.
    let siteMachines = Mutex<[Int]>([])
    /// The active alerts of every count of the site published, in order.
    let siteActive = Mutex<[Int]>([])
}
