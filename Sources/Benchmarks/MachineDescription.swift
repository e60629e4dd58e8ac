import Foundation
import TwinHubBroker

/// The machine a run happened on, in one line: CPU, cores, memory, OS, mosquitto, and the build.
public enum MachineDescription {
    public static func current() -> String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" } ?? "unknown CPU"
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let memory = Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824
        let release = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8))?.split(separator: "\n")
            .first { $0.hasPrefix("PRETTY_NAME=") }.map { $0.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            ?? "Linux"
        #if DEBUG
        let build = "debug build (figures not representative)"
        #else
        let build = "release build"
        #endif
        return "\(model), \(cores) cores, \(String(format: "%.0f", memory)) GiB, \(release), mosquitto \(mosquittoVersion() ?? "?"), \(build)"
    }

    /// `2.0.11`, from `mosquitto -h`.
    static func mosquittoVersion() -> String? {
        guard let executable = try? BrokerExecutables.locate("mosquitto") else { return nil }
        let output = Pipe()
        let child = Process()
        child.executableURL = executable
        child.arguments = ["-h"]
        child.standardOutput = output
        child.standardError = output
        guard (try? child.run()) != nil else { return nil }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        // "mosquitto version 2.0.11"
        return text.split(separator: "\n").first?.split(separator: " ").last.map(String.init)
    }
}
