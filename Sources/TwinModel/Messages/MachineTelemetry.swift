import Foundation

/// A telemetry message as received: the sample and the machine and kind it names.
public struct MachineTelemetry: Sendable, Equatable {
    public var machine: String
    public var kind: String
    public var sample: TelemetrySample

    public init(machine: String, kind: String, sample: TelemetrySample) {
        self.machine = machine
        self.kind = kind
        self.sample = sample
    }
}
