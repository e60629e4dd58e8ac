import Foundation
import SparkplugB
import TwinModel
import TwinHubProtocol
import Twins

/// The twin service as a Sparkplug B primary host, pure: Sparkplug messages and the clock in (through its
/// ``HostSession``), the core's events (machine messages as from JSON topics, refusals) and the host's publications
/// (STATE, rebirth requests) out. Births make twins, data updates them, deaths take them offline with their values
/// stale; rules, KPIs and history then work on them as on any twin.
public struct SparkplugIngest: Sendable {
    public private(set) var session: HostSession
    public private(set) var feed = SparkplugTwinFeed()
    private var logged = RefusalLog()

    /// What one event gives.
    public struct Output: Sendable {
        /// For the host's MQTT connection, in order.
        public var publications: [SparkplugPublication] = []
        /// For the core, in order.
        public var events: [TwinServiceCore.Event] = []
        public var logs: [TwinServiceCore.LogLine] = []
    }

    public init(configuration: HostSession.Configuration) {
        session = HostSession(configuration: configuration)
    }

    /// The will to register before each connect: the host's STATE offline.
    public mutating func will(now: Date) -> SparkplugPublication? {
        for case .connect(let will) in session.handle(.connecting(now: Self.milliseconds(now))) { return will }
        return nil
    }

    /// What to publish once connected (the STATE online; the runtime subscribes to `spBv1.0/#` itself).
    public mutating func connected(now: Date) -> [SparkplugPublication] {
        publications(session.handle(.connected(now: Self.milliseconds(now))))
    }

    /// What to publish on a clean stop: the STATE offline.
    public mutating func disconnecting(now: Date) -> [SparkplugPublication] {
        publications(session.handle(.disconnecting(now: Self.milliseconds(now))))
    }

    /// A message on a Sparkplug topic.
    public mutating func received(topic: String, payload: [UInt8], at now: Date) -> Output {
        perform(session.handle(.received(topic: topic, payload: payload, now: Self.milliseconds(now))), topic: topic, payload: payload, now: now)
    }

    /// The clock: held messages whose reorder timeout passed.
    public mutating func tick(now: Date) -> Output {
        perform(session.handle(.tick(now: Self.milliseconds(now))), topic: nil, payload: [], now: now)
    }

    /// The DCMD that asks the machine at `machine` for `request`, when it is a Sparkplug device that has a metric for it.
    public func command(_ request: MachineCommandRequest, to machine: PlantPath, now: Date) -> SparkplugPublication? {
        guard case .device(let device)? = feed.sources[machine], let metrics = MachineDeviceCommands.metrics(for: request) else { return nil }
        return SparkplugPublication(topic: .device(.dcmd, device), payload: SparkplugPayload.command(timestamp: Self.milliseconds(now), metrics: metrics).encoded())
    }

    /// Whether the machine at `machine` is known as a Sparkplug node or device.
    public func isSparkplug(_ machine: PlantPath) -> Bool { feed.sources[machine] != nil }

    private mutating func perform(_ actions: [HostSession.Action], topic: String?, payload: [UInt8], now: Date) -> Output {
        var output = Output()
        for action in actions {
            switch action {
            case .publish(let publication):
                output.publications.append(publication)
            case .online, .updated, .offline:
                for message in feed.take(action) {
                    output.events.append(.machine(machineMessage(message, topic: topic, payload: payload, now: now)))
                }
            case .rebirthRequested(let node, let reason):
                if let count = logged.note("rebirth \(node)") {
                    output.logs.append(.init(level: .warning, message: "Sparkplug rebirth asked of \(node) (#\(count)): \(reason)"))
                }
            case .refused(let refusedTopic, let error):
                output.events.append(.refused(TwinServiceCore.RefusedMessage(topic: refusedTopic, reason: "sparkplug_\(error.code.rawValue)",
                                                                             detail: error.reason, payload: payload, received: now)))
            case .ignored(let ignoredTopic, let reason):
                if let count = logged.note("ignored \(reason)") {
                    output.logs.append(.init(level: .info, message: "Sparkplug message on \(ignoredTopic) ignored (#\(count)): \(reason)"))
                }
            case .connect, .subscribe, .disconnect:
                break
            }
        }
        return output
    }

    private func machineMessage(_ output: SparkplugTwinFeed.Output, topic: String?, payload: [UInt8], now: Date) -> TwinServiceCore.MachineMessage {
        let (channel, decoded): (TopicMap.Channel, TwinStore.Decoded)
        switch output.message {
        case .status(let status): (channel, decoded) = (.status, .status(status))
        case .telemetry(let telemetry): (channel, decoded) = (.telemetry, .telemetry(telemetry))
        case .state(let change): (channel, decoded) = (.state, .state(change))
        case .counters(let counters): (channel, decoded) = (.counters, .counters(counters))
        }
        return TwinServiceCore.MachineMessage(machine: output.machine, channel: channel, decoded: .success(decoded),
                                              topic: topic ?? "\(SparkplugTopic.namespace)/\(output.source)", payload: payload, received: now)
    }

    private func publications(_ actions: [HostSession.Action]) -> [SparkplugPublication] {
        actions.compactMap { if case .publish(let publication) = $0 { publication } else { nil } }
    }

    static func milliseconds(_ date: Date) -> UInt64 { MachineDevice.timestamp(date) }
}
