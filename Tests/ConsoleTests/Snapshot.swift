import TwinModel
import Console
import Foundation
import Testing

/// Text snapshots of frames, kept in `Snapshots/NAME.txt` next to this file. A missing snapshot is recorded and
/// the test fails, so a first run never passes by accident; `TWINHUB_RECORD_SNAPSHOTS=1` re-records them all.
enum Snapshot {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    static func check(_ frame: Frame, named name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        // A frame boundary makes trailing blank lines and the size visible in the file.
        let text = "size \(frame.width)x\(frame.height)\n" + frame.lines.map { "|" + $0 }.joined(separator: "\n") + "\n"
        let file = folder.appendingPathComponent(name + ".txt")
        let record = ProcessInfo.processInfo.environment["TWINHUB_RECORD_SNAPSHOTS"] == "1"
        guard !record, let expected = try? String(contentsOf: file, encoding: .utf8) else {
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try? text.write(to: file, atomically: true, encoding: .utf8)
            Issue.record("snapshot '\(name)' recorded at \(file.path); check it and run again", sourceLocation: sourceLocation)
            return
        }
        if expected != text {
            let actual = folder.appendingPathComponent(name + ".actual.txt")
            try? text.write(to: actual, atomically: true, encoding: .utf8)
            Issue.record("frame differs from snapshot '\(name)' (actual written to \(actual.path)):\n\(text)", sourceLocation: sourceLocation)
        }
    }
}
