#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the terminal could not enter full-screen mode.
public struct TerminalError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Reason: Sendable, Equatable {
        case notInteractive
        case alreadyInFullScreen
        case systemCall(String, errno: Int32)
    }

    private let reason: Reason

    /// Standard input or output is not a terminal (a pipe, a file, or no terminal at all).
    public static let notInteractive = TerminalError(reason: .notInteractive)
    /// Another `Terminal` is in full-screen mode and has not been restored.
    public static let alreadyInFullScreen = TerminalError(reason: .alreadyInFullScreen)

    /// A system call on the terminal failed with `errno`.
    static func systemCall(_ name: String, errno: Int32) -> TerminalError {
        TerminalError(reason: .systemCall(name, errno: errno))
    }

    public var description: String {
        switch reason {
        case .notInteractive:
            "standard input and output must be a terminal"
        case .alreadyInFullScreen:
            "the terminal is already in full-screen mode"
        case .systemCall(let name, let errno):
            "\(name) failed on the terminal: \(String(cString: strerror(errno)))"
        }
    }
}
