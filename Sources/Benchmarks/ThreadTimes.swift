import Foundation

/// CPU time of a process's threads, summed by the names the system shows for them (`/proc/<pid>/task/*/stat`).
/// Threads that ended are missing: compare with ``ProcessFigures/cpuSeconds``, which counts them, for the rest.
struct ThreadTimes: Sendable {
    /// User plus system CPU seconds of the living threads, by thread name.
    var secondsByName: [String: Double]

    /// The threads of process `pid` (default: this one); empty if it is gone.
    static func of(_ pid: pid_t = getpid()) -> ThreadTimes {
        let folder = "/proc/\(pid)/task"
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var seconds: [String: Double] = [:]
        for task in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            // Read leniently: a name the system cut inside a character is not valid UTF-8.
            guard let bytes = FileManager.default.contents(atPath: "\(folder)/\(task)/stat"),
                  let (name, cpu) = parse(String(decoding: bytes, as: UTF8.self)) else { continue }
            seconds[name, default: 0] += cpu / ticks
        }
        return ThreadTimes(secondsByName: seconds)
    }

    /// The name and CPU ticks (utime + stime) of one `stat` line: `pid (name) state …`, the name between the first
    /// `(` and the last `)` (it may hold either).
    static func parse(_ stat: String) -> (name: String, ticks: Double)? {
        guard let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")"), open < close else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the name: state is field 3, utime 14, stime 15.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (String(stat[stat.index(after: open)..<close]), user + system)
    }

    /// The CPU seconds of the threads named `name`.
    subscript(name: String) -> Double { secondsByName[name] ?? 0 }
}
