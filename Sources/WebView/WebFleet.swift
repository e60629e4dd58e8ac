import FleetView
import Foundation
import TwinHubProtocol
import TwinModel

/// What the web server knows of the plant: the fleet view every screen shares (``FleetModel``), and the documents the
/// twin service published as they came (twins, open alerts, aggregate KPIs), served as they are so that the API's
/// documents are the MQTT contract's own (`schemas/`). Built only from MQTT messages, never from the service's memory.
/// Pure: messages in, state out.
public struct WebFleet: Sendable {
    public private(set) var model: FleetModel
    /// Each machine's latest twin snapshot, as published.
    public private(set) var twinDocuments: [PlantPath: [UInt8]] = [:]
    /// Each open alert, as published.
    public private(set) var alertDocuments: [AlertKey: [UInt8]] = [:]
    /// Alerts closed among the recent events (``FleetModel/recentEvents``), as their closing event carried them.
    public private(set) var closedAlertDocuments: [AlertKey: [UInt8]] = [:]
    /// Each site's, area's and line's latest KPIs, as published.
    public private(set) var kpiDocuments: [PlantPath: [UInt8]] = [:]
    /// Each twin as the stream sends it.
    public private(set) var streamTwins: [PlantPath: StreamTwin] = [:]
    /// The recent changes, for the stream sessions.
    public private(set) var journal: ChangeJournal
    /// When the last message from the twin service came.
    public private(set) var lastMessage: Date?
    let decoder: ServiceMessageDecoder

    public init(model: FleetModel, decoder: ServiceMessageDecoder, journalCapacity: Int = 65_536) {
        self.model = model
        self.decoder = decoder
        journal = ChangeJournal(capacity: journalCapacity)
    }

    /// Decodes and applies one message received at `now`; one that cannot be read is counted with its reason
    /// (``FleetModel/refused``) and changes nothing else.
    public mutating func apply(topic: String, payload: [UInt8], at now: Date) {
        let update: ServiceMessage?
        do {
            update = try decoder.decode(topic: topic, payload: payload)
        } catch {
            model.refuse(error)
            return
        }
        guard let update else { return }
        lastMessage = now
        let connectivityBefore: String? = if case .twin(let twin) = update { model.machines[twin.key]?.connectivity } else { nil }
        let kindBefore: String? = if case .twinRemoved(let key) = update { model.machines[key]?.kind } else { nil }
        model.apply(update)
        switch update {
        case .twin(let twin):
            twinDocuments[twin.key] = payload
            if streamTwins[twin.key, default: StreamTwin()].update(twin, worst: model.worstAlert(of: twin.key), at: journal.last + 1) {
                journal.append(.twin(twin.key))
            }
            if let connectivityBefore, connectivityBefore != twin.connectivity {
                journal.append(.connectivity(twin.key, status: twin.connectivity))
            }
        case .twinRemoved(let key):
            twinDocuments[key] = nil
            if streamTwins.removeValue(forKey: key) != nil { journal.append(.removed(key, kind: kindBefore)) }
        case .alert(let alert):
            alertDocuments[alert.key] = payload
            noteWorstAlert(of: alert.key.machine)
        case .alertRemoved(let key):
            alertDocuments[key] = nil
            noteWorstAlert(of: key.machine)
        case .event(let event) where event.closesAlert:
            alertDocuments[event.alert.key] = nil
            journal.append(.alertEvent(machine: event.alert.key.machine, document: payload))
            noteWorstAlert(of: event.alert.key.machine)
            closedAlertDocuments[event.alert.key] = Self.member("alert", of: payload)
            if closedAlertDocuments.count > 2 * FleetModel.recentEventLimit {
                let recent = Set(model.recentEvents.map(\.alert.key))
                closedAlertDocuments = closedAlertDocuments.filter { recent.contains($0.key) }
            }
        case .aggregate(let kpi):
            kpiDocuments[kpi.path] = payload
        case .event(let event):
            journal.append(.alertEvent(machine: event.alert.key.machine, document: payload))
            noteWorstAlert(of: event.alert.key.machine)
        case .history, .metrics: break
        }
    }

    /// The machine's worst open alert may have changed: its stream twin follows.
    private mutating func noteWorstAlert(of machine: PlantPath) {
        guard streamTwins[machine] != nil else { return }
        if streamTwins[machine]!.update(worst: model.worstAlert(of: machine), at: journal.last + 1) { journal.append(.twin(machine)) }
    }

    /// The member `name` of the JSON object `document`, written alone (`nil` if there is none).
    static func member(_ name: String, of document: [UInt8]) -> [UInt8]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(document)) as? [String: Any], let member = object[name],
              let data = try? JSONSerialization.data(withJSONObject: member, options: [.sortedKeys]) else { return nil }
        return Array(data)
    }

    /// Sets the broker connection's status.
    public mutating func setConnection(_ status: ConnectionStatus) {
        model.setConnection(status)
    }
}
