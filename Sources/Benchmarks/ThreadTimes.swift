import Foundation

/// CPU time of a process's threads, summed by the names the system shows for them (`/proc/<pid>/task/*/stat`).
/// Threads that ended are missing: compare with ``ProcessFigures/cpuSeconds``, which counts them, for the rest.
struct ThreadTimes: Sendable {
    /// User plus system CPU seconds of the living threads, by thread name.
    var secondsByName: [String: Double]

    /// The threads of process `pid` (default: this one); empty if it is gone.
    static func of(_ pid: pid_t = getpid()) -> ThreadTimes {
        let folder = "/proc/\(pid)/task"
        var seconds: [String: Double] = [:]
        for task in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            // Read leniently: a name the system cut inside a character is not valid UTF-8.
            guard let bytes = FileManager.default.contents(atPath: "\(folder)/\(task)/stat"),
                  let (name, ticks) = ProcessFigures.statLine(String(decoding: bytes, as: UTF8.self)) else { continue }
            seconds[name, default: 0] += ticks / ProcessFigures.clockTicksPerSecond
        }
        return ThreadTimes(secondsByName: seconds)
    }

    /// The CPU seconds of the threads named `name`.
    subscript(name: String) -> Double { secondsByName[name] ?? 0 }
}
