import RuleLanguage
import FleetView
import Foundation
import TwinHubProtocol
import TwinModel

extension WebAPI {
    /// `GET /twins?path=&kind=&status=`: a summary of each twin that matches (path pattern with `+` and `#`; kinds,
    /// and states or connectivities, comma-separated), sorted by path.
    public func twins(query: [String: String], in fleet: WebFleet) throws(APIProblem) -> APIResponse {
        try Self.checkQuery(query, allowed: ["path", "kind", "status"])
        let pattern: PathPattern
        do {
            pattern = try query["path"].map { text throws(PatternError) in try PathPattern(text) } ?? .all
        } catch {
            throw .badRequest(error.description, at: "query:path")
        }
        let kinds = Self.list(query, "kind"), statuses = Self.list(query, "status")
        var json = JSONWriter()
        json.openArray()
        for twin in fleet.model.sortedMachines where pattern.matches(twin.key) {
            if let kinds, !kinds.contains(twin.kind) { continue }
            if let statuses, !statuses.contains(twin.state), !statuses.contains(twin.connectivity) { continue }
            summary(of: twin, worst: fleet.model.worstAlert(of: twin.key), into: &json)
        }
        json.closeArray()
        return APIResponse(body: json.fragment)
    }

    /// A twin's summary: path, kind, state, connectivity, OEE, worst open alert, version.
    func summary(of twin: TwinSnapshot, worst: AlertSnapshot?, into json: inout JSONWriter) {
        json.open()
        json.field("path", string: twin.key.description)
        json.field("kind", string: twin.kind)
        json.field("state", string: twin.state)
        json.field("connectivity", string: twin.connectivity)
        json.field("oee", optionalNumber: twin.window.oee)
        json.field("oee_shift", optionalNumber: twin.shift.oee)
        json.key("worst_alert")
        json.element(worstAlert: worst)
        json.field("version", integer: twin.version)
        json.close()
    }

    /// `GET /twins/{path}`: the twin's latest snapshot, as the twin service published it.
    public func twin(_ path: String, in fleet: WebFleet) throws(APIProblem) -> APIResponse {
        let twin = try Self.knownMachine(path, in: fleet)
        guard let document = fleet.twinDocuments[twin.key] else { throw .notFound("no twin of \(twin.key)") }
        return APIResponse(body: document)
    }

    /// `GET /twins/{path}/history?property=`: the machine's recent samples (the twin service's history document,
    /// `history`), or one property's alone.
    /// - Parameter document: the machine's latest history document, `nil` when the twin service has published none.
    public func history(_ path: String, query: [String: String], document: [UInt8]?, in fleet: WebFleet) throws(APIProblem) -> APIResponse {
        try Self.checkQuery(query, allowed: ["property"])
        let twin = try Self.knownMachine(path, in: fleet)
        guard let document, !document.isEmpty else { throw .notFound("the twin service has published no history of \(twin.key) yet") }
        guard let property = query["property"] else { return APIResponse(body: document) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(document)) as? [String: Any],
              let properties = object["properties"] as? [String: Any] else {
            throw APIProblem(status: 502, title: "Bad Gateway", detail: "the history of \(twin.key) cannot be read")
        }
        guard let series = properties[property] else {
            let hint = Spelling.hint(for: property, in: Array(properties.keys))
            throw .notFound("no history of '\(property)' for \(twin.key)\(hint)")
        }
        var single = object
        single["properties"] = [property: series]
        guard let data = try? JSONSerialization.data(withJSONObject: single, options: [.sortedKeys]) else {
            throw APIProblem(status: 502, title: "Bad Gateway", detail: "the history of \(twin.key) cannot be written")
        }
        return APIResponse(body: Array(data))
    }
}
