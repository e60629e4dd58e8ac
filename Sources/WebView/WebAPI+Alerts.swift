import FleetView
import Foundation
import RuleLanguage
import TwinHubProtocol
import TwinModel

extension WebAPI {
    /// `GET /alerts?status=open|all&severity=`: open alerts as the twin service published them (most pressing first:
    /// active before cleared, then by severity, then the most recent); `all` adds the alerts closed among the recent
    /// events. `severity` lists the severities wanted, comma-separated.
    public func alerts(query: [String: String], in fleet: WebFleet) throws(APIProblem) -> APIResponse {
        try Self.checkQuery(query, allowed: ["status", "severity", "path"])
        let status = query["status"] ?? "open"
        guard status == "open" || status == "all" else {
            throw .badRequest("status must be open or all, not '\(status)'", at: "query:status")
        }
        var severities: Set<Severity>?
        if let names = Self.list(query, "severity") {
            var set = Set<Severity>()
            for name in names.sorted() {
                guard let severity = Severity(rawValue: name) else {
                    let known = Severity.allCases.map(\.rawValue)
                    throw .badRequest("unknown severity '\(name)'\(Spelling.hint(for: name, in: known)) (known: \(known.joined(separator: ", ")))",
                                      at: "query:severity")
                }
                set.insert(severity)
            }
            severities = set
        }
        let pattern: PathPattern
        do {
            pattern = try query["path"].map { text throws(PatternError) in try PathPattern(text) } ?? .all
        } catch {
            throw .badRequest(error.description, at: "query:path")
        }
        func wanted(_ alert: AlertSnapshot) -> Bool {
            pattern.matches(alert.key.machine) && (severities?.contains(alert.severity) ?? true)
        }
        var json = JSONWriter()
        json.openArray()
        for alert in fleet.model.sortedAlerts where wanted(alert) {
            if let document = fleet.alertDocuments[alert.key] { json.element(document: document) }
        }
        if status == "all" {
            var seen = Set(fleet.model.alerts.keys)
            for event in fleet.model.recentEvents.reversed() where event.closesAlert && wanted(event.alert) {
                guard seen.insert(event.alert.key).inserted, let document = fleet.closedAlertDocuments[event.alert.key] else { continue }
                json.element(document: document)
            }
        }
        json.closeArray()
        return APIResponse(body: json.fragment)
    }
}
