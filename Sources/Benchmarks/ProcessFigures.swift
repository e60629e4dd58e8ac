import Foundation

/// What `/proc` says about a process: resident memory and CPU time.
public struct ProcessFigures: Sendable {
    /// Resident set size now, in bytes (`VmRSS`).
    public var residentBytes: Int
    /// The peak resident set size, in bytes (`VmHWM`).
    public var peakResidentBytes: Int
    /// User plus system CPU time so far, in seconds.
    public var cpuSeconds: Double

    /// The figures of process `pid` (default: this one), or `nil` if it is gone.
    public static func of(_ pid: pid_t = getpid()) -> ProcessFigures? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return nil }
        func kilobytes(_ field: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return 0 }
            return (Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0) * 1024
        }
        guard let (_, ticks) = statLine(stat) else { return nil }
        return ProcessFigures(residentBytes: kilobytes("VmRSS"), peakResidentBytes: kilobytes("VmHWM"),
                              cpuSeconds: ticks / clockTicksPerSecond)
    }

    /// The name and CPU ticks (utime + stime) of a process's or a thread's `stat` line: `pid (name) state …`, the name
    /// between the first `(` and the last `)` (it may hold either, and spaces).
    static func statLine(_ stat: String) -> (name: String, ticks: Double)? {
        guard let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")"), open < close else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the name: state is field 3, utime 14, stime 15.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (String(stat[stat.index(after: open)..<close]), user + system)
    }

    /// The unit of `stat`'s CPU times.
    static let clockTicksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
}
