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
        // Fields after the command name (which may hold spaces) start at the last ')': state is field 3, utime 14, stime 15.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ProcessFigures(residentBytes: kilobytes("VmRSS"), peakResidentBytes: kilobytes("VmHWM"),
                              cpuSeconds: (user + system) / ticks)
    }
}
