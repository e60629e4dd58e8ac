import RuleLanguage
import Foundation
import TwinModel
import Rules

/// Counts of open alerts of a site, area or line (`{root}/{site}[/{area}[/{line}]]/alerts`, QoS 1, retained).
extension JSONCodec {
    /// Open alerts of a site, area or line (retained).
    public static func alertCounts(_ key: PlantPath, _ counts: AlertCounts) -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.fields(of: key)
        writer.field("active", integer: counts.active)
        writer.field("unacknowledged", integer: counts.unacknowledged)
        writer.key("by_severity")
        writer.open()
        for severity in Severity.allCases.reversed() { writer.field(severity.rawValue, integer: counts.bySeverity[severity] ?? 0) }
        writer.close()
        writer.close()
        return writer.bytes
    }
}
