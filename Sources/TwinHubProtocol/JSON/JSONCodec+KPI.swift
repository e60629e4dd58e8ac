import Foundation
import TwinModel
import Twins

/// Aggregate KPIs of a site, area or line (`{root}/{site}[/{area}[/{line}]]/kpi`, QoS 1, retained), and the OEE figures every KPI payload shares.
extension JSONCodec {
    /// Aggregate KPIs of a site, area or line (retained on `…/kpi`).
    public static func kpi(_ key: PlantPath, machines: Int, shift: OEE, window: OEE) -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.fields(of: key)
        writer.field("machines", integer: machines)
        writer.key("shift")
        write(shift, into: &writer)
        writer.key("window")
        write(window, into: &writer)
        writer.close()
        return writer.bytes
    }

    /// Reads aggregate KPIs (the shape ``kpi(_:machines:shift:window:)`` writes) of the site, area or line `path`.
    public static func decodeKPI(_ fields: JSONFields, path: PlantPath) throws(PayloadError) -> KPISnapshot {
        let machines = try fields.number("machines")
        return KPISnapshot(path: path, machines: machines.isFinite && machines >= 0 && machines < 1e9 ? Int(machines) : 0,
                             shift: try oee(fields.optionalObject("shift")), window: try oee(fields.optionalObject("window")))
    }

    static func write(_ oee: OEE, into writer: inout JSONWriter) {
        writer.open()
        for (name, value) in [("oee", oee.value), ("availability", oee.availability), ("performance", oee.performance), ("quality", oee.quality)] {
            if let value { writer.field(name, number: (value * 10_000).rounded() / 10_000) }
        }
        writer.close()
    }

    static func oee(_ fields: JSONFields?) throws(PayloadError) -> OEEFigures {
        guard let fields else { return OEEFigures() }
        return OEEFigures(oee: try fields.optionalNumber("oee"), availability: try fields.optionalNumber("availability"),
                          performance: try fields.optionalNumber("performance"), quality: try fields.optionalNumber("quality"))
    }
}
