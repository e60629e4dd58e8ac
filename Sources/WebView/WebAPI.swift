import FleetView
import Foundation
import TwinHubProtocol
import TwinModel

/// The web API's answers, with no I/O: each endpoint of `/api/v1` is a function of the request's parts and the
/// ``WebFleet`` now, returning a document or an ``APIProblem``; writes return the ``FleetIntent`` to send. The
/// runtime (Hummingbird) routes requests here and sends the intents over MQTT.
public struct WebAPI: Sendable {
    /// The machine kinds the server knows (for `GET /kinds` and to check commands).
    public let kinds: [String: MachineInterface]
    /// The scenario's machines in their order, and what it says of where things stand (empty without a scenario).
    public let scenarioMachines: [(path: PlantPath, kind: String?)]
    public let placements: [PlantPath: Placement]
    /// The largest request body accepted.
    public let maximumBody: Int

    /// The default largest request body: an acknowledgement's comment or a command is far smaller.
    public static let defaultMaximumBody = 16 * 1024

    public init(kinds: [String: MachineInterface], scenario: Scenario? = nil, maximumBody: Int = WebAPI.defaultMaximumBody) {
        self.kinds = kinds
        scenarioMachines = scenario?.machines.map { ($0.path, $0.kind.id) } ?? []
        placements = scenario?.placements.filter { !$0.value.isEmpty } ?? [:]
        self.maximumBody = maximumBody
    }

    /// A machine's path from the URL's `{path}` (`site/area/line/machine`).
    public static func machinePath(_ text: String) throws(APIProblem) -> PlantPath {
        guard let path = PlantPath(text), path.level == .machine else {
            throw .notFound("'\(text)' is not a machine's path (site/area/line/machine)")
        }
        return path
    }

    /// The machine at `text`, which the twin service must have published.
    static func knownMachine(_ text: String, in fleet: WebFleet) throws(APIProblem) -> TwinSnapshot {
        let path = try machinePath(text)
        guard let twin = fleet.model.machines[path] else { throw .notFound("no twin of \(path) (the twin service has published none)") }
        return twin
    }

    /// A comma-separated query parameter's values (none for an absent or empty one).
    static func list(_ query: [String: String], _ name: String) -> Set<String>? {
        guard let text = query[name], !text.isEmpty else { return nil }
        return Set(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }

    /// Refuses query parameters other than `allowed`.
    public static func checkQuery(_ query: [String: String], allowed: [String]) throws(APIProblem) {
        for name in query.keys.sorted() where !allowed.contains(name) {
            let known = allowed.isEmpty ? "none" : allowed.joined(separator: ", ")
            throw .badRequest("unknown query parameter '\(name)' (known: \(known))", at: "query:\(name)")
        }
    }
}

extension JSONWriter {
    /// A JSON document written elsewhere (already valid), as the next element or value.
    mutating func element(document: [UInt8]) {
        append(fragment: document, leavesOpen: false)
    }

    /// A machine's most pressing open alert as the API and the stream show it (`rule`, `name`, `severity`,
    /// `status`), or `null`, as the next value.
    mutating func element(worstAlert alert: AlertSnapshot?) {
        guard let alert else { return elementNull() }
        open()
        field("rule", string: alert.key.rule)
        field("name", string: alert.name)
        field("severity", string: alert.severity.rawValue)
        field("status", string: alert.status)
        close()
    }

    /// `name` with `value` or `null`.
    mutating func field(_ name: String, optionalNumber value: Double?) {
        key(name)
        if let value { element(number: value) } else { elementNull() }
    }
}
