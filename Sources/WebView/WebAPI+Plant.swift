import FleetView
import Foundation
import TwinHubProtocol
import TwinModel

extension WebAPI {
    /// The floor now: the scenario's machines in its order, then every other machine the twin service published,
    /// sorted; placed as the scenario says, the rest laid out automatically.
    public func floor(in fleet: WebFleet) -> FloorLayout {
        let known = Set(scenarioMachines.map(\.path))
        let others = fleet.model.sortedMachines.filter { !known.contains($0.key) }.map { (path: $0.key, kind: Optional($0.kind)) }
        return FloorLayout(machines: scenarioMachines + others, declared: placements)
    }

    /// `GET /layout`: every machine's path, kind, pose, footprint and asset id, and the sites, areas and lines that
    /// hold them.
    public func layout(in fleet: WebFleet) -> APIResponse {
        let floor = floor(in: fleet)
        var json = JSONWriter()
        json.open()
        json.field("units", string: "m")
        json.field("up", string: "+y")
        json.key("machines")
        json.openArray()
        for machine in floor.machines { Self.write(machine, into: &json) }
        json.closeArray()
        json.key("groups")
        json.openArray()
        for group in floor.items.values.filter({ !$0.path.isMachine }).sorted(by: { $0.path < $1.path }) { Self.write(group, into: &json) }
        json.closeArray()
        json.close()
        return APIResponse(body: json.fragment)
    }

    static func write(_ item: FloorLayout.Item, into json: inout JSONWriter) {
        json.open()
        json.field("path", string: item.path.description)
        json.field("level", string: item.path.level.description)
        if let kind = item.kind { json.field("kind", string: kind) }
        json.key("pose")
        json.open()
        json.key("position")
        json.openArray()
        for value in item.pose.position { json.element(number: value) }
        json.closeArray()
        json.key("rotation")
        json.openArray()
        for value in item.pose.rotation { json.element(number: value) }
        json.closeArray()
        json.field("yaw_deg", number: (item.pose.yawDegrees * 1000).rounded() / 1000 + 0)  // + 0: never -0
        json.close()
        json.key("footprint")
        json.open()
        json.field("width", number: item.footprint.width)
        json.field("depth", number: item.footprint.depth)
        json.close()
        json.field("asset", string: item.asset)
        json.field("automatic", bool: item.automatic)
        json.close()
    }

    /// `GET /kinds`: each machine kind's interface: properties with type, unit, normal range and limits; states and
    /// commands; faults.
    public func kindList() -> APIResponse {
        var json = JSONWriter()
        json.openArray()
        for kind in kinds.values.sorted(by: { $0.id < $1.id }) {
            json.open()
            json.field("id", string: kind.id)
            json.field("name", string: kind.name)
            json.field("description", string: kind.description)
            json.field("sample_interval_s", number: kind.sampleInterval.secondsValue)
            json.key("properties")
            json.openArray()
            for property in kind.properties {
                json.open()
                json.field("name", string: property.name)
                json.field("type", string: property.type.rawValue)
                json.field("unit", string: property.unit)
                json.key("normal")
                Self.write(property.normal, into: &json)
                json.key("limits")
                Self.write(property.limits, into: &json)
                json.close()
            }
            json.closeArray()
            json.key("states")
            json.openArray()
            for state in MachineState.allCases where kind.states.transitions[state] != nil || state == kind.states.initial {
                json.element(string: state.rawValue)
            }
            json.closeArray()
            json.key("commands")
            json.openArray()
            for command in kind.commands.map(\.rawValue).sorted() { json.element(string: command) }
            json.closeArray()
            json.key("faults")
            json.openArray()
            for fault in kind.faults {
                json.open()
                json.field("name", string: fault.name)
                json.field("description", string: fault.description)
                json.close()
            }
            json.closeArray()
            json.close()
        }
        json.closeArray()
        return APIResponse(body: json.fragment)
    }

    private static func write(_ range: ClosedRange<Double>, into json: inout JSONWriter) {
        json.openArray()
        json.element(number: range.lowerBound)
        json.element(number: range.upperBound)
        json.closeArray()
    }

    /// `GET /kpi?path=`: the aggregate KPIs of a site, area or line as the twin service published them (`kpi`), or
    /// every one's without `path`.
    public func kpi(query: [String: String], in fleet: WebFleet) throws(APIProblem) -> APIResponse {
        try Self.checkQuery(query, allowed: ["path"])
        guard let text = query["path"] else {
            var json = JSONWriter()
            json.open()
            for (path, document) in fleet.kpiDocuments.sorted(by: { $0.key < $1.key }) {
                json.key(path.description)
                json.element(document: document)
            }
            json.close()
            return APIResponse(body: json.fragment)
        }
        guard let path = PlantPath(text), path.level != .machine else {
            throw .badRequest("'\(text)' is not a site, area or line (site[/area[/line]]); a machine's KPIs are in its twin", at: "query:path")
        }
        guard let document = fleet.kpiDocuments[path] else { throw .notFound("the twin service has published no KPIs of \(path)") }
        return APIResponse(body: document)
    }

    /// `GET /health`: the broker connection, whether the twin service was seen, and how old the data is. 200 when
    /// connected and the service seen, else 503 with the same document.
    public func health(of fleet: WebFleet, now: Date) -> APIResponse {
        let model = fleet.model
        var json = JSONWriter()
        json.open()
        let connected = model.connection.isConnected
        json.field("status", string: connected && model.serviceSeen ? "ok" : "degraded")
        json.key("broker")
        json.open()
        json.field("url", string: model.broker)
        json.field("connected", bool: connected)
        json.field("connection", string: Self.text(model.connection))
        json.close()
        json.field("root", string: model.root)
        json.field("twin_service_seen", bool: model.serviceSeen)
        json.field("twins", integer: model.machines.count)
        json.field("open_alerts", integer: model.alerts.count)
        json.field("data_age_s", optionalNumber: fleet.lastMessage.map { (now.timeIntervalSince($0) * 1000).rounded() / 1000 })
        json.field("messages_refused", integer: model.refused)
        json.close()
        return APIResponse(status: connected && model.serviceSeen ? 200 : 503, body: json.fragment)
    }

    static func text(_ status: ConnectionStatus) -> String {
        switch status {
        case .connecting: "connecting"
        case .connected: "connected"
        case .reconnecting(let attempt, let reason): "reconnecting (attempt \(attempt)): \(reason)"
        case .closed(let reason): "closed" + (reason.map { ": \($0)" } ?? "")
        }
    }
}
