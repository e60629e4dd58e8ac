import Foundation

/// A machine's connection status: online or not, when (absent from a last will, written at connect time), why.
public struct MachineStatus: Sendable, Equatable {
    public var online: Bool
    public var time: Date?
    public var reason: String

    public init(online: Bool, time: Date?, reason: String) {
        self.online = online
        self.time = time
        self.reason = reason
    }
}
