import ArgumentParser
import Foundation
import Rules
import SparkplugB
import TwinHubMQTT
import TwinModel
import TwinPartition
import Twins
import TwinService
import TwinHubProtocol
import TwinStoragePostgres
import TwinStorageSQLite

/// `twinhub serve`: the twin service.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Keep a live twin of every machine under a topic root, with its KPIs.",
        discussion: """
            Reads {root}/{site}/{area}/{line}/{machine}/{telemetry|state|counters|status|desired} and publishes,
            retained: …/{machine}/twin (a snapshot, at most once a second), {root}/{site}[/{area}[/{line}]]/kpi
            (aggregate OEE) and {root}/_twinhub/metrics; refused messages go to {root}/_deadletter/{reason}.
            Publish {"state":"stopped"} on …/{machine}/desired and the service commands the machine until it
            reports that state. Example:
              twinhub serve --root acme --broker mqtt://localhost:1883
            Twins are kept in --db (SQLite, WAL; or PostgreSQL with --db postgres://…), written every second:
            a restart carries on where the service stopped, and a kill -9 loses at most the last second.
            --no-db keeps them in memory.

            Several instances share one plant with --instance ID (or --partition) on one --db postgres://…:
            each serves the lines it holds a lease on, and takes over those of an instance that dies within
            4/3 of --lease-seconds (docs/scale-out.md).

            Alert rules come with the kinds (twins/*.yaml); --rules adds rules files (overrides per machine)
            and --scenario the per-machine rules of a scenario. Open alerts are retained on
            …/{machine}/alert/{rule}, every lifecycle event goes to {root}/_alerts/events (QoS 1), counts to
            {root}/{site}[/{area}[/{line}]]/alerts; acknowledge by publishing {"by":"…","comment":"…"} on
            …/{machine}/alert/{rule}/ack.

            --sparkplug (or --host-id) also makes the service a Sparkplug B 3.0 primary host: its STATE on
            spBv1.0/STATE/{host}, twins built from NBIRTH/DBIRTH (a device naming a kind in Properties/Kind gets its
            rules and KPIs), data applied by alias, deaths taking twins offline; twins are published under the
            root like any other (docs/sparkplug.md).
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var connection: ConnectionOptions

    @Option(help: ArgumentHelp("Topic root of the fleet (default: the enterprise of --scenario, as twinhub sim uses it).", valueName: "root"))
    var root: String?

    @Option(help: ModelFiles.twinsHelp)
    var twins: String?

    @Option(help: "Machines of a kind not in --twins: generic (keep a twin of any property) or reject.")
    var unknownKinds: UnknownKindsArgument = .init(policy: .generic)

    @Option(help: "Samples kept per property for trends.")
    var history = 60

    @Option(help: ArgumentHelp("Largest payload accepted, in bytes.", valueName: "bytes"))
    var maxPayload = JSONCodec.defaultMaximumSize

    @Option(help: ArgumentHelp("Most twins kept: messages of further new machines are refused (too_many_twins) and counted.", valueName: "n"))
    var maxTwins = TwinStore.defaultMaximumTwins

    @Option(help: ArgumentHelp("Database of the twins: a SQLite file (default: twinhub-ROOT.sqlite in $XDG_DATA_HOME/twinhub or ~/.local/share/twinhub), or postgres://user[:password]@host[:port]/database.",
                               valueName: "path"))
    var db: String?

    @Flag(help: "Keep the twins in memory only.")
    var noDb = false

    @Option(help: ArgumentHelp("At most one snapshot per twin per this many seconds.", valueName: "seconds"))
    var snapshotInterval = 1.0

    @Option(help: ArgumentHelp("A rules file or folder of them (repeatable): rule overrides per machine.", valueName: "path"))
    var rules: [String] = []

    @Option(help: ArgumentHelp("The simulator's scenario (a file or a name): its machines' rules: apply, and its enterprise is the root without --root.",
                               valueName: "scenario"))
    var scenario: String?

    @Flag(help: "Run no alert rules.")
    var noRules = false

    @Option(help: ArgumentHelp("Shed load past this many messages waiting: a machine's older telemetry gives way to its newer (counted as shed in the metrics; states, counters and acknowledgements never); 0 never sheds.", valueName: "n"))
    var shedAfter = 2_000

    @Flag(help: "Also be a Sparkplug B primary host: twins from the births and data under spBv1.0/#.")
    var sparkplug = false

    @Option(help: ArgumentHelp("Sparkplug host id: the STATE is spBv1.0/STATE/ID (implies --sparkplug).", valueName: "id"))
    var hostID: String?

    @Option(help: ArgumentHelp("How long Sparkplug messages after a gap in seq wait for the missing one before a rebirth request.", valueName: "seconds"))
    var reorderTimeout = 2.0

    @Flag(help: "Share the plant with other instances on the same PostgreSQL --db: serve only the lines this instance holds a lease on (docs/scale-out.md).")
    var partition = false

    @Option(help: ArgumentHelp("This instance's name among those sharing the plant (implies --partition; default host:pid).", valueName: "id"))
    var instance: String?

    @Option(help: ArgumentHelp("How long a partitioned instance's lease lasts: a dead instance's lines are taken over within about 4/3 of it.",
                               valueName: "seconds"))
    var leaseSeconds = 10.0

    func validate() throws {
        guard !(noDb && db != nil) else { throw ValidationError("choose --db or --no-db, not both") }
        guard snapshotInterval >= 0.01 else { throw ValidationError("--snapshot-interval must be at least 0.01 s") }
        guard history >= 1 else { throw ValidationError("--history must be at least 1") }
        guard maxPayload >= 256 else { throw ValidationError("--max-payload must be at least 256 bytes") }
        guard maxTwins >= 1 else { throw ValidationError("--max-twins must be at least 1") }
        guard !(noRules && !rules.isEmpty) else { throw ValidationError("--no-rules cannot be used with --rules") }
        guard root != nil || scenario != nil else { throw ValidationError("give --root, or --scenario to serve its enterprise") }
        guard shedAfter >= 0 else { throw ValidationError("--shed-after must be 0 (never shed) or more") }
        guard reorderTimeout > 0 && reorderTimeout <= 60 else { throw ValidationError("--reorder-timeout must be above 0 and at most 60 s") }
        if partitioned {
            guard let db, db.hasPrefix("postgres://") || db.hasPrefix("postgresql://") else {
                throw ValidationError("--partition and --instance need a shared --db postgres://…")
            }
            guard leaseSeconds >= 1 else { throw ValidationError("--lease-seconds must be at least 1") }
            guard instance.map({ !$0.isEmpty }) ?? true else { throw ValidationError("--instance needs a name") }
            guard !sparkplug && hostID == nil else {
                throw ValidationError("--sparkplug cannot be used with --partition or --instance yet: every instance would take every Sparkplug machine")
            }
        }
    }

    /// Whether the plant is shared with other instances.
    var partitioned: Bool { partition || instance != nil }

    func run() async throws {
        let logger = global.bootstrapLogging()
        let kinds = try ModelFiles.kinds(overriddenBy: twins)
        let scenario = try self.scenario.map { try ModelFiles.scenario($0, kinds: kinds) }
        guard let root = root ?? scenario?.enterprise else { throw ValidationError("give --root, or --scenario to serve its enterprise") }
        let topics: TopicMap
        do {
            topics = try TopicMap(root: root)
        } catch {
            throw ValidationError(error.description)
        }
        let instanceName = partitioned ? instance ?? TwinService.Partitioning.defaultInstance : nil
        var configuration = try connection.clientConfiguration(broker: global.broker)
        // Instances sharing a plant need client IDs of their own (a broker ends the older session of an ID).
        if configuration.clientID == nil { configuration.clientID = "twinhub-serve/\(root)" + (instanceName.map { "/\($0)" } ?? "") }
        var options = TwinService.Options(connection: configuration, topics: topics, kinds: kinds.mapValues(\.interface))
        options.unknownKinds = unknownKinds.policy
        options.settings.historySize = history
        options.maximumPayload = maxPayload
        options.maximumTwins = maxTwins
        options.snapshotInterval = .seconds(snapshotInterval)
        options.sheddingDepth = shedAfter == 0 ? nil : shedAfter
        var stored = "in memory only (--no-db)"
        if !noDb {
            let path = try db ?? DataFolder.database(root: root)
            if path.hasPrefix("postgres://") || path.hasPrefix("postgresql://") {
                do {
                    let storage = try await PostgresTwinStorage.open(path, logger: logger)
                    options.storage = storage
                    stored = "in \(storage.location)"
                    if let instanceName {
                        options.partitioning = .init(instance: instanceName, leases: storage, terms: LeaseTerms(duration: .seconds(leaseSeconds)))
                        storage.fenceWrites(to: instanceName)
                        stored += ", partitioned as instance \(instanceName)"
                    }
                } catch {
                    throw ConfigurationError("cannot open the twin database \(error.location): \(error.reason)")
                }
            } else {
                do {
                    options.storage = try SQLiteTwinStorage(path: path)
                } catch {
                    throw ConfigurationError("cannot open the twin database '\(path)': \(error.reason)")
                }
                stored = "in \(path)"
            }
        }
        if !noRules { options.rules = try ruleBook(kinds: kinds, scenario: scenario) }
        if sparkplug || hostID != nil {
            do {
                options.sparkplug = try HostSession.Configuration(hostID: hostID ?? "twinhub", reorderTimeout: UInt64(reorderTimeout * 1000))
            } catch {
                throw ValidationError("--host-id: \(error.reason)")
            }
        }
        let service = TwinService.Runner(TwinService(options: options, logger: logger)) { [broker = configuration.broker, stored, host = options.sparkplug?.hostID] in
            FileHandle.standardError.write(Data("twinhub serve: \(kinds.count) kinds, serving \(topics.root)/\(host.map { " and Sparkplug B as host \($0)" } ?? "") on \(broker); twins kept \(stored)\n".utf8))
        }
        try await CommandLifecycle.run([CommandLifecycle.part(service, named: "twin service")], logger: logger)
    }
}

extension ServeCommand {
    /// The kinds' rules with the overrides of --rules files, then of --scenario.
    func ruleBook(kinds: [String: MachineKind], scenario: Scenario?) throws -> RuleBook {
        var overrides: [RuleOverride] = []
        do {
            overrides += try RuleSetLoader.load(paths: rules, kinds: kinds).flatMap(\.overrides)
            overrides += scenario?.ruleOverrides ?? []
        } catch {
            throw ConfigurationError("alert rules:\n\(error.description)")
        }
        return RuleBook(kinds: kinds, overrides: overrides)
    }
}

/// `--unknown-kinds` values.
struct UnknownKindsArgument: ExpressibleByArgument {
    let policy: TwinStore.UnknownKindPolicy

    init(policy: TwinStore.UnknownKindPolicy) { self.policy = policy }

    init?(argument: String) {
        guard let policy = TwinStore.UnknownKindPolicy(rawValue: argument) else { return nil }
        self.policy = policy
    }

    static var allValueStrings: [String] { ["generic", "reject"] }
    var defaultValueDescription: String { policy.rawValue }
}
