import Foundation
import TwinModel

/// What a Sparkplug host learns of nodes and devices (``HostSession``'s `online`, `updated` and `offline`), as the
/// messages TwinHub's twins take: a status, a telemetry sample of every numeric metric, a state change, production
/// counters. Pure; the twin service applies what it returns as it applies JSON messages.
///
/// - A device is a machine at ``SparkplugAddress/machine(of:)``; a device of an edge node whose id is not
///   `{area}:{line}` is at `{group}/{node}/{node}/{device}`. An edge node's own metrics (other than `bdSeq` and the
///   `Node Control/`, `Node Info/` and `Properties/` folders) make a machine named as the node, on that line.
/// - Its kind is its `Properties/Kind` metric when there is one (a TwinHub kind gets its rules and KPIs), else
///   ``genericKind`` (a generic twin, when the service keeps them).
/// - Data carries only the metrics that changed (report by exception): each sample holds every numeric metric's
///   latest value; a null one (a sensor out) is left out, as JSON telemetry leaves it out.
/// - Sequence numbers, which Sparkplug keeps per edge node, are made per machine, in the order the host releases data.
public struct SparkplugTwinFeed: Sendable {
    /// The kind of a device that names none.
    public static let genericKind = "sparkplug"

    /// A message for the twin of `machine`, from `source` (a node or device, for dead letters).
    public struct Output: Sendable, Equatable {
        public var machine: PlantPath
        public var message: Message
        public var source: String
    }

    /// One message a twin takes.
    public enum Message: Sendable, Equatable {
        case status(MachineStatus)
        case telemetry(MachineTelemetry)
        case state(StateChange)
        case counters(ProductionCounters)
    }

    private struct Device: Sendable {
        var kind: String
        var readings: [String: TelemetrySample.Reading] = [:]
        /// Numeric metrics in birth order, for samples in a stable order.
        var order: [String] = []
        var state: MachineState?
        var reason = ""
        var counters: (total: Int, good: Int, scrap: Int, ideal: Double) = (0, 0, 0, 0)
        var sequences: (telemetry: UInt64, state: UInt64, counters: UInt64) = (0, 0, 0)
    }

    private var devices: [HostSession.MetricSource: Device] = [:]
    /// The last edge node death, to tell its devices' deaths from their own DDEATHs.
    private var lastNodeDeath: (node: EdgeNodeDescriptor, at: UInt64)?
    /// The node or device of each machine seen, for commands to it.
    public private(set) var sources: [PlantPath: HostSession.MetricSource] = [:]
    /// Metrics a twin cannot hold (text, bytes, arrays, a datatype without a number), by name: counted, not applied.
    public private(set) var metricsNotApplied = 0

    /// The longest ideal cycle time taken (a day): beyond it a value is not applied.
    static let longestCycle = 86_400.0

    public init() {}

    /// The machine of a node's or a device's metrics.
    public static func machine(of source: HostSession.MetricSource) -> PlantPath {
        switch source {
        case .device(let device):
            if let path = SparkplugAddress.machine(of: device) { return path }
            let node = device.node.edgeNodeID
            return PlantPath(site: device.node.groupID, area: node, line: node, machine: device.deviceID)
        case .node(let node):
            // The node as a device of itself: on its own line, named as the node.
            if let device = try? DeviceDescriptor(node: node, deviceID: node.edgeNodeID), let path = SparkplugAddress.machine(of: device) {
                return path
            }
            return PlantPath(site: node.groupID, area: node.edgeNodeID, line: node.edgeNodeID, machine: node.edgeNodeID)
        }
    }

    /// The messages of one host action (none for actions that are not about metrics).
    public mutating func take(_ action: HostSession.Action) -> [Output] {
        switch action {
        case .online(let source, let metrics):
            return born(source, metrics)
        case .updated(let source, let metrics):
            guard devices[source] != nil else { return [] }
            return updated(source, metrics, born: false)
        case .offline(let source, let at, _):
            if case .node(let node) = source { lastNodeDeath = (node, at) }
            guard devices[source] != nil else { return [] }
            let reason: String
            switch source {
            case .node:
                reason = "NDEATH"
            case .device(let device):
                // A node's death takes its devices with it, at the same time.
                reason = lastNodeDeath.map { $0.node == device.node && $0.at == at } == true ? "NDEATH of its edge node" : "DDEATH"
            }
            return [Output(machine: Self.machine(of: source), message: .status(MachineStatus(online: false, time: Self.date(at), reason: reason)),
                           source: source.description)]
        default:
            return []
        }
    }

    private mutating func born(_ source: HostSession.MetricSource, _ metrics: [HostSession.MetricUpdate]) -> [Output] {
        if case .node = source, !metrics.contains(where: { MachineDevice.isTelemetry($0.name) }) {
            return []  // a node with only its own bookkeeping (TwinHub's edge nodes) is no machine
        }
        var device = devices[source] ?? Device(kind: Self.genericKind)
        device.kind = metrics.first { $0.name == MachineDevice.kindMetric }?.value?.text ?? Self.genericKind
        device.order = metrics.filter { MachineDevice.isTelemetry($0.name) }.map(\.name)
        device.readings = [:]
        devices[source] = device
        sources[Self.machine(of: source)] = source
        let time = metrics.map(\.timestamp).max() ?? 0
        var outputs = [Output(machine: Self.machine(of: source), message: .status(MachineStatus(online: true, time: Self.date(time), reason: "birth")),
                              source: source.description)]
        outputs += updated(source, metrics, born: true)
        return outputs
    }

    private mutating func updated(_ source: HostSession.MetricSource, _ metrics: [HostSession.MetricUpdate], born: Bool) -> [Output] {
        // Out of the table while it changes, so that its readings are changed in place, not copied.
        guard var device = devices.removeValue(forKey: source) else { return [] }
        defer { devices[source] = device }
        let machine = Self.machine(of: source)
        let previous = device.state
        var sampleTime: UInt64?, stateTime: UInt64?, countersTime: UInt64?
        for metric in metrics where !metric.isHistorical {
            switch metric.name {
            case MachineDevice.stateMetric:
                guard let text = metric.value?.text, let state = MachineState(rawValue: text) else {
                    if metric.value != nil { metricsNotApplied += 1 }
                    continue
                }
                if state != device.state || born { stateTime = metric.timestamp }
                device.state = state
            case MachineDevice.stateReasonMetric:
                device.reason = metric.value?.text ?? ""
            case MachineDevice.totalMetric, MachineDevice.goodMetric, MachineDevice.scrapMetric, MachineDevice.idealCycleTimeMetric:
                guard let number = metric.value?.number else { continue }
                // Counts are whole and not negative, a cycle time finite and not negative: anything else is not applied.
                if metric.name == MachineDevice.idealCycleTimeMetric {
                    guard number.isFinite, number >= 0, number <= Self.longestCycle else {
                        metricsNotApplied += 1
                        continue
                    }
                    device.counters.ideal = number
                } else {
                    guard number >= 0, let count = Int(exactly: number.rounded()) else {
                        metricsNotApplied += 1
                        continue
                    }
                    switch metric.name {
                    case MachineDevice.totalMetric: device.counters.total = count
                    case MachineDevice.goodMetric: device.counters.good = count
                    default: device.counters.scrap = count
                    }
                }
                countersTime = max(countersTime ?? 0, metric.timestamp)
            case let name where MachineDevice.isTelemetry(name):
                guard let value = metric.value else {
                    device.readings[name] = nil
                    sampleTime = max(sampleTime ?? 0, metric.timestamp)
                    continue
                }
                guard let number = value.number, number.isFinite else {
                    metricsNotApplied += 1
                    continue
                }
                if !device.order.contains(name) { device.order.append(name) }
                device.readings[name] = TelemetrySample.Reading(property: name, value: number, unit: metric.unit ?? "")
                sampleTime = max(sampleTime ?? 0, metric.timestamp)
            default:
                continue
            }
        }
        var outputs: [Output] = []
        func emit(_ message: Message) { outputs.append(Output(machine: machine, message: message, source: source.description)) }
        if let stateTime, let state = device.state {
            device.sequences.state += 1
            emit(.state(StateChange(time: Self.date(stateTime), sequence: device.sequences.state, state: state,
                                    previous: previous ?? state, reason: device.reason)))
        }
        if let countersTime {
            device.sequences.counters += 1
            emit(.counters(ProductionCounters(time: Self.date(countersTime), sequence: device.sequences.counters, total: device.counters.total,
                                              good: device.counters.good, scrap: device.counters.scrap,
                                              idealCycleTime: .seconds(device.counters.ideal))))
        }
        if let sampleTime, !device.readings.isEmpty {
            device.sequences.telemetry += 1
            let sample = TelemetrySample(time: Self.date(sampleTime), sequence: device.sequences.telemetry,
                                         values: device.order.compactMap { device.readings[$0] })
            emit(.telemetry(MachineTelemetry(machine: machine.name, kind: device.kind, sample: sample)))
        }
        return outputs
    }

    private static func date(_ milliseconds: UInt64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
