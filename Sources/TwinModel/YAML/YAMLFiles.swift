import Foundation
import TwinHubCatalog

/// The YAML files of a folder (or a single file), sorted, for loaders and `twinhub validate`; and the files built
/// into the binary, whose paths start with ``builtInPrefix`` (`builtin:twins/press-brake.yaml`).
public enum YAMLFiles {
    /// How the path of a built-in file starts, in errors and in ``SourceLocation``s.
    public static let builtInPrefix = "builtin:"

    /// The text of a file, or an error at its first line saying why it cannot be read.
    static func read(_ path: String) throws(ModelErrors) -> String {
        do {
            return try text(of: path)
        } catch {
            throw ModelErrors([ModelError("cannot read the file: \(error.localizedDescription)", at: SourceLocation(file: path, line: 1, column: 1))])
        }
    }

    /// The text of a file on disk or built in.
    static func text(of path: String) throws -> String {
        guard path.hasPrefix(builtInPrefix) else { return try String(contentsOfFile: path, encoding: .utf8) }
        guard let text = BuiltInFiles.files[String(path.dropFirst(builtInPrefix.count))] else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        return text
    }

    /// The built-in YAML files of `folder` (`twins`, `simulations`), sorted, as paths under ``builtInPrefix``.
    public static func builtIn(in folder: String) -> [String] {
        BuiltInFiles.files.keys.filter { ($0 as NSString).deletingLastPathComponent == folder && ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) }
            .sorted().map { builtInPrefix + $0 }
    }

    public static func list(in path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
            .map { (path as NSString).appendingPathComponent($0) }
    }
}

/// A time of day, `HH:MM` in UTC.
public struct ClockTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Seconds since midnight.
    public var secondsOfDay: Int

    public init(secondsOfDay: Int) {
        self.secondsOfDay = secondsOfDay
    }

    public static func parse(_ text: String) -> ClockTime? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0...24).contains(hour), (0..<60).contains(minute), hour * 60 + minute <= 1440 else { return nil }
        return ClockTime(secondsOfDay: hour * 3600 + minute * 60)
    }

    public var hours: Double { Double(secondsOfDay) / 3600 }
    public static func < (lhs: ClockTime, rhs: ClockTime) -> Bool { lhs.secondsOfDay < rhs.secondsOfDay }
    public var description: String { String(format: "%02d:%02d", secondsOfDay / 3600, secondsOfDay % 3600 / 60) }
}
