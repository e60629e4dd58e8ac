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
    /// - Throws: ``BrokerError`` with the program's output if it exits non-zero.
    @discardableResult
    static func run(_ name: String, _ arguments: [String]) throws -> String {
        let child = Process()
        child.executableURL = try locate(name)
        child.arguments = arguments
        let output = Pipe()
        child.standardOutput = output
        child.standardError = output
        child.standardInput = FileHandle.nullDevice
        try child.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard child.terminationStatus == 0 else {
            throw BrokerError("\(name) \(arguments.joined(separator: " ")) failed (status \(child.terminationStatus)): \(text)")
        }
        return text
    }
}
