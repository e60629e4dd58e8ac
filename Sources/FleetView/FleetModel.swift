import RuleLanguage
import Foundation
import TwinModel
import TwinHubProtocol

/// The plant as every screen sees it (the terminal console, the web API and floor view), built from what the twin
/// service publishes alone, decoded through the protocol (``ServiceMessageDecoder``). Pure: updates in, state out.
/// What a user does to the plant goes the other way as a ``FleetIntent``.
///
/// Retained twin and alert topics give the whole picture on connect; alert events keep it current.
public struct FleetModel: Sendable {
    /// How many recent alert events are kept.
    public static let recentEventLimit = 200

    /// The broker, as the header names it.
    public var broker: String
    /// The topic root shown.
    public var root: String
    public var connection: ConnectionStatus = .connecting
    public private(set) var machines: [PlantPath: TwinSnapshot] = [:]
    /// The machines' addresses, sorted: kept on change of membership, so a redraw never sorts the fleet.
    private var machineOrder: [PlantPath] = []
    /// Recent samples per machine and property, oldest first (the selected machine's `history` topic).
    public private(set) var histories: [PlantPath: [String: [Double]]] = [:]
    public private(set) var alerts: [AlertKey: AlertSnapshot] = [:]
    /// Aggregate KPIs of each line.
    public private(set) var lines: [PlantPath: KPISnapshot] = [:]
    /// The latest alert events, oldest first.
    public private(set) var recentEvents: [AlertEventMessage] = []
    /// Alert events received so far (``recentEvents`` keeps the last ``recentEventLimit``).
    public private(set) var eventCount = 0
    /// Messages the twin service ingests per second, from its metrics.
    public private(set) var fleetRate: Double?
    /// Telemetry the twin service shed while it could not keep up (its metrics' total).
    public private(set) var serviceShed = 0
    /// Messages the console itself receives per second.
    public private(set) var receiveRate: Double?
    /// Messages dropped because the console could not keep up (its subscription buffer was full).
    public private(set) var dropped = 0
    /// Messages applied.
    public private(set) var messagesApplied = 0
    /// Messages refused as unreadable, and the last reason.
    public private(set) var refused = 0
    public private(set) var lastRefusal: ServiceMessageError?
    /// Grows with every change, so a view redraws only when something changed.
    public private(set) var revision = 0

    private var lastMetrics: (time: Date, messagesIn: Int)?

    /// Whether the twin service of this root has published its metrics: it runs, or ran.
    public var serviceSeen: Bool { lastMetrics != nil }

    public init(broker: String, root: String) {
        self.broker = broker
        self.root = root
    }

    /// Applies one update.
    public mutating func apply(_ update: ServiceMessage) {
        messagesApplied += 1
        revision += 1
        switch update {
        case .twin(let machine):
            if machines.updateValue(machine, forKey: machine.key) == nil {
                let position = machineOrder.partitioningIndex { machine.key < $0 }
                machineOrder.insert(machine.key, at: position)
            }
        case .twinRemoved(let key):
            if machines.removeValue(forKey: key) != nil { machineOrder.removeAll { $0 == key } }
            histories[key] = nil
        case .history(let key, let series):
            histories[key] = series
        case .alert(let alert):
            alerts[alert.key] = alert
        case .alertRemoved(let key):
            alerts[key] = nil
        case .event(let event):
            recentEvents.append(event)
            eventCount += 1
            if recentEvents.count > Self.recentEventLimit { recentEvents.removeFirst(recentEvents.count - Self.recentEventLimit) }
            alerts[event.alert.key] = event.closesAlert ? nil : event.alert
        case .aggregate(let aggregate):
            if aggregate.path.level == .line { lines[aggregate.path] = aggregate }
        case .metrics(let metrics):
            if let last = lastMetrics, metrics.time > last.time, metrics.messagesIn >= last.messagesIn {
                fleetRate = Double(metrics.messagesIn - last.messagesIn) / metrics.time.timeIntervalSince(last.time)
            }
            lastMetrics = (metrics.time, metrics.messagesIn)
            serviceShed = metrics.shed
        }
    }

    /// Counts a message that could not be read.
    public mutating func refuse(_ error: ServiceMessageError) {
        refused += 1
        lastRefusal = error
        revision += 1
    }

    /// The kept events that came after event number `mark` (an ``eventCount`` seen earlier).
    public func events(after mark: Int) -> ArraySlice<AlertEventMessage> {
        recentEvents.suffix(max(0, min(recentEvents.count, eventCount - mark)))
    }

    /// Sets the connection status.
    public mutating func setConnection(_ status: ConnectionStatus) {
        guard status != connection else { return }
        connection = status
        revision += 1
    }

    /// Sets the console's own receive rate and drop count.
    public mutating func setReceiveStatistics(rate: Double, dropped: Int) {
        guard rate != receiveRate || dropped != self.dropped else { return }
        receiveRate = rate
        self.dropped = dropped
        revision += 1
    }

    /// Forgets the history of every machine but `key` (the console keeps only the selected machine's).
    public mutating func keepHistory(of key: PlantPath?) {
        histories = histories.filter { $0.key == key }
    }

    // MARK: Derived figures

    /// Open alerts in display order: active before cleared, then the most severe, then the most recent.
    public var sortedAlerts: [AlertSnapshot] {
        alerts.values.sorted { a, b in
            if a.isActive != b.isActive { return a.isActive }
            if a.severity != b.severity { return a.severity > b.severity }
            let (ta, tb) = (a.lastSeen ?? a.raisedAt ?? .distantPast, b.lastSeen ?? b.raisedAt ?? .distantPast)
            if ta != tb { return ta > tb }
            return a.key.description < b.key.description
        }
    }

    /// Machines sorted by site, area, line and name.
    public var sortedMachines: [TwinSnapshot] {
        machineOrder.compactMap { machines[$0] }
    }

    /// Machines online, and not online (offline, stale or unknown).
    public var connectivityCounts: (online: Int, offline: Int) {
        let online = machines.values.count(where: \.isOnline)
        return (online, machines.count - online)
    }

    /// Open alerts by severity.
    public var alertCounts: [Severity: Int] {
        alerts.values.reduce(into: [:]) { $0[$1.severity, default: 0] += 1 }
    }

    /// Open alerts nobody acknowledged.
    public var unacknowledgedCount: Int { alerts.values.count { !$0.isAcknowledged } }

    /// The machine clock of `key`: the newest reading time of its twin (alert times are on this clock).
    public func machineTime(of key: PlantPath) -> Date? {
        machines[key]?.readings.compactMap(\.time).max()
    }

    /// The most severe active alert of a machine (a cleared one waiting for its acknowledgement says nothing
    /// about the machine now).
    public func worstAlert(of key: PlantPath) -> AlertSnapshot? {
        alerts.values.filter { $0.key.machine == key && $0.isActive }.max { $0.severity < $1.severity }
    }
}

extension Array {
    /// The first index whose element satisfies `belongsAfter`, for an array partitioned by it (binary search).
    func partitioningIndex(where belongsAfter: (Element) -> Bool) -> Int {
        var (low, high) = (0, count)
        while low < high {
            let middle = (low + high) / 2
            if belongsAfter(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
