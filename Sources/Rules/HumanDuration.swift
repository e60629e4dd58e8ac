/// Durations as people read them in alert messages: `3 h 20 min`, `45 min`, `2 d 4 h`, `12 s`.
enum HumanDuration {
    static func text(seconds: Double) -> String {
        guard seconds.isFinite else { return "never" }
        let total = Int(min(max(seconds, 0), 1e12).rounded())
        if total < 60 { return "\(total) s" }
        let minutes = total / 60
        if minutes < 60 { return "\(minutes) min" }
        let hours = minutes / 60, restMinutes = minutes % 60
        if hours < 48 { return restMinutes == 0 ? "\(hours) h" : "\(hours) h \(restMinutes) min" }
        let days = hours / 24, restHours = hours % 24
        return restHours == 0 ? "\(days) d" : "\(days) d \(restHours) h"
    }
}
