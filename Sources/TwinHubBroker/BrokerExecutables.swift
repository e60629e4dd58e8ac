import Foundation

/// Finds mosquitto's programs, which Debian installs partly in /usr/sbin (often not on a user's PATH).
public enum BrokerExecutables {
    /// The full path of `name` (`mosquitto`, `mosquitto_passwd`, `openssl`, …).
    /// - Throws: ``BrokerError`` naming the Debian package to install.
    public static func locate(_ name: String) throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/sbin", "/usr/bin", "/sbin"]
        for folder in folders {
            let candidate = URL(fileURLWithPath: folder).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        let package = name == "openssl" ? "openssl" : "mosquitto"
        throw BrokerError("'\(name)' is not installed; install it with: sudo apt-get install -y \(package)")
    }

    /// Runs a program to completion and returns its output.
    ///
    /// The output goes to a file, not a pipe: a pipe's end would reach EOF only once every process holding its write
    /// end had closed it, and a process spawned meanwhile by another thread (a broker, a tool) inherits it and keeps it
    /// open, so reading to EOF hung.
    /// - Throws: ``BrokerError`` with the program's output if it exits non-zero.
    @discardableResult
    static func run(_ name: String, _ arguments: [String]) throws -> String {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("twinhub-\(name)-\(UUID().uuidString.prefix(8)).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let child = try ChildProcess.spawn(try locate(name).path, arguments, output: log.path)
        child.waitUntilExit()
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        guard child.ended == .exited(0) else {
            throw BrokerError("\(name) \(arguments.joined(separator: " ")) failed (\(child.ended.map { "\($0)" } ?? "?")): \(text)")
        }
        return text
    }
}
