import RuleLanguage
import FleetView
import Console
import Foundation
import TwinModel
import TwinHubProtocol

/// A small plant in a known state, for rendering and UI tests: two lines, five machines, four open alerts.
enum PlantFixture {
    static let root = "acme"
    static let topics = try! TopicMap(root: root)
    /// The machines' clock: alert ages are measured against it.
    static let machineNow = Date(timeIntervalSince1970: 1_772_445_600) // 2026-03-02T10:00:00Z
    static let wallNow = Date(timeIntervalSince1970: 1_795_000_000)

    static func key(_ machine: String, line: String = "line-1") -> PlantPath {
        PlantPath(site: "leuven", area: "fabrication", line: line, machine: machine)
    }

    static let laser = key("laser-01")
    static let brake = key("brake-01")
    static let robot = key("robot-01")
    static let mill = key("cnc-01", line: "line-2")
    static let compressor = key("comp-01", line: "line-2")

    static func machine(_ key: PlantPath, kind: String, state: String, connectivity: String = "online", oee: Double? = nil,
                        readings: [TwinSnapshot.Reading] = []) -> TwinSnapshot {
        TwinSnapshot(key: key, kind: kind, version: 12, state: state, stateSince: machineNow.addingTimeInterval(-754),
                    stateReason: state == "fault" ? "fault hydraulic_overheating tripped" : "setup done",
                    connectivity: connectivity, connectivityReason: connectivity == "online" ? "connected" : "connection lost",
                    readings: readings, counters: .init(total: 120, good: 118, scrap: 2),
                    shift: OEEFigures(oee: oee.map { $0 - 0.07 }, availability: 0.9, performance: 0.85, quality: 0.98),
                    window: OEEFigures(oee: oee, availability: oee.map { _ in 0.9012 }, performance: oee.map { _ in 0.85 }, quality: oee.map { _ in 0.983 }),
                    mtbfSeconds: 7800, mttrSeconds: 720)
    }

    static func reading(_ name: String, _ value: Double, _ unit: String, quality: String = "good") -> TwinSnapshot.Reading {
        .init(name: name, value: value, unit: unit, quality: quality, time: machineNow)
    }

    static func alert(_ machine: PlantPath, rule: String, name: String, severity: Severity, active: Bool = true, acknowledgedBy: String? = nil,
                      raisedSecondsAgo: Double, message: String, condition: String = "", values: [(name: String, value: Double)] = [],
                      measure: Double? = nil, threshold: Double? = nil, count: Int = 1) -> AlertSnapshot {
        let status = !active ? "cleared_unacknowledged" : (acknowledgedBy == nil ? "active_unacknowledged" : "active_acknowledged")
        return AlertSnapshot(
            key: AlertKey(machine: machine, rule: rule), id: "\(machine.name)/\(rule)", kind: "cnc_machining_centre", name: name,
            severity: severity, status: status, isActive: active,
            acknowledgement: acknowledgedBy.map { .init(by: $0, at: machineNow.addingTimeInterval(-60), comment: "checking the coolant") },
            count: count, firstSeen: machineNow.addingTimeInterval(-raisedSecondsAgo), lastSeen: machineNow.addingTimeInterval(-raisedSecondsAgo / 2),
            raisedAt: machineNow.addingTimeInterval(-raisedSecondsAgo), clearedAt: active ? nil : machineNow.addingTimeInterval(-30),
            message: message,
            explanation: .init(condition: condition, description: "Rises as the spindle bearing wears; replace it before it fails.",
                               values: values, measure: measure, threshold: threshold))
    }

    /// The plant, connected, with metrics and history for the mill.
    static func model() -> FleetModel {
        var model = FleetModel(broker: "mqtt://localhost:1883", root: root)
        model.setConnection(.connected(resumed: false))
        let millReadings = [reading("spindle_speed", 9480, "rpm"), reading("spindle_temperature", 41.23, "°C"),
                            reading("vibration", 7.42, "mm/s", quality: "out_of_range"), reading("coolant_flow", 0, "l/min", quality: "stale")]
        model.apply(.twin(machine(mill, kind: "cnc_machining_centre", state: "running", oee: 0.723, readings: millReadings)))
        model.apply(.twin(machine(laser, kind: "fibre_laser_cutter", state: "running", oee: 0.781,
                                  readings: [reading("laser_power", 5.41, "kW"), reading("optics_temperature", 22.1, "°C")])))
        model.apply(.twin(machine(brake, kind: "press_brake", state: "fault", oee: 0.412, readings: [reading("hydraulic_temperature", 71.5, "°C", quality: "bad")])))
        model.apply(.twin(machine(robot, kind: "robot_welding_cell", state: "starved", oee: 0.655)))
        model.apply(.twin(machine(compressor, kind: "screw_compressor", state: "offline", connectivity: "offline")))
        model.apply(.history(mill, ["spindle_speed": [9400, 9450, 9480, 9470, 9490, 9480], "vibration": (0..<40).map { 2 + Double($0) * 0.14 },
                                    "spindle_temperature": [40, 40.5, 41, 41.2, 41.23]]))
        model.apply(.aggregate(KPISnapshot(path: PlantPath(site: "leuven", area: "fabrication", line: "line-1"), machines: 3,
                                             shift: OEEFigures(oee: 0.55), window: OEEFigures(oee: 0.616))))
        model.apply(.aggregate(KPISnapshot(path: PlantPath(site: "leuven", area: "fabrication", line: "line-2"), machines: 2,
                                             shift: OEEFigures(oee: 0.6), window: OEEFigures(oee: 0.723))))
        model.apply(.alert(alert(mill, rule: "bearing_failure_predicted", name: "Bearing failure predicted", severity: .critical, raisedSecondsAgo: 4000,
                                 message: "vibration predicted to exceed 7.1 mm/s in 1 h 52 min (now 6.12 mm/s, +0.52 mm/s/h)",
                                 condition: "trend of vibration reaches 7.1 within 24 h (window 2 h)", values: [("vibration", 6.12)],
                                 measure: 6720, threshold: 7200)))
        model.apply(.alert(alert(mill, rule: "vibration_high", name: "Vibration high", severity: .major, acknowledgedBy: "ana", raisedSecondsAgo: 300,
                                 message: "vibration 7.42 mm/s above 7.1 (major)", condition: "vibration above 4.5 / 7.1 / 11 for 30 s",
                                 values: [("vibration", 7.42), ("spindle_speed", 9480)], measure: 7.42, threshold: 7.1, count: 3)))
        model.apply(.alert(alert(laser, rule: "optics_hot", name: "Optics hot", severity: .warning, raisedSecondsAgo: 45,
                                 message: "optics temperature 32.5 °C above 30")))
        model.apply(.alert(alert(brake, rule: "hydraulic_overheating", name: "Hydraulic oil hot", severity: .minor, active: false, raisedSecondsAgo: 7300,
                                 message: "hydraulic oil 71.5 °C above 65")))
        model.apply(.metrics(ServiceMetricsMessage(time: wallNow.addingTimeInterval(-1), messagesIn: 10_000)))
        model.apply(.metrics(ServiceMetricsMessage(time: wallNow, messagesIn: 11_204)))
        model.setReceiveStatistics(rate: 32, dropped: 0)
        return model
    }

    static let faults = [
        "cnc_machining_centre": [
            FaultChoice(name: "spindle_bearing", effect: "bearing_wear", description: "the spindle bearing wears out over hours"),
            FaultChoice(name: "coolant_loss", effect: "overheating", description: "coolant pump failure: the spindle heats up"),
            FaultChoice(name: "network_drop", effect: "network_loss", description: "the machine's network fails for 2 min"),
        ],
    ]

    static func ui() -> ConsoleUI {
        ConsoleUI(user: "ana", faults: faults)
    }
}
