import Foundation
import TwinModel

/// The scenario's calendar: when shifts run, when planned downtime is, how long set-up takes.
struct ProductionPlan: Sendable {
    let start: Date
    let startSecondsOfDay: Double
    let shifts: [TimeWindow]
    let downtime: [TimeWindow]
    let setupTime: Double
    let microstops: Microstops?

    init(scenario: Scenario) {
        start = scenario.start
        let epoch = scenario.start.timeIntervalSince1970
        startSecondsOfDay = epoch - (epoch / 86_400).rounded(.down) * 86_400
        shifts = scenario.shifts
        downtime = scenario.plannedDowntime
        setupTime = scenario.setupTime.secondsValue
        microstops = scenario.microstops
    }

    /// Seconds since midnight (UTC) at `time` simulated seconds after the start.
    func secondsOfDay(at time: Double) -> Int {
        Int((startSecondsOfDay + time).truncatingRemainder(dividingBy: 86_400))
    }

    /// The shift running at that time of day; with no shifts declared, production never stops.
    func shift(at secondsOfDay: Int) -> TimeWindow? {
        if shifts.isEmpty { return TimeWindow(name: "continuous", start: ClockTime(secondsOfDay: 0), end: ClockTime(secondsOfDay: 86_400)) }
        return shifts.first { $0.contains(secondsOfDay: secondsOfDay) }
    }

    func downtime(at secondsOfDay: Int) -> TimeWindow? {
        downtime.first { $0.contains(secondsOfDay: secondsOfDay) }
    }
}
