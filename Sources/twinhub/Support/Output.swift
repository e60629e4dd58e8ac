import Foundation

/// Writes whole lines to standard output at once, unbuffered, so a pipe reader sees each line as it happens.
enum Output {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
