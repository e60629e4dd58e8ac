import Foundation
import Testing
import TwinModel
@testable import SparkplugB

/// A TwinHub machine through an edge node, the wire and a host into the messages its twin takes.
@Suite("Machine as a device")
struct MachineDeviceTests {
    static let cnc = try! #require(try KindLoader.loadBuiltIn()["cnc_machining_centre"]).interface
    static let path = PlantPath(site: "plant1", area: "assembly", line: "line1", machine: "cnc1")
    static let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    static func sample(at seconds: Double, speed: Double?, vibration: Double = 2.1) -> TelemetrySample {
        var values = cnc.properties.map { TelemetrySample.Reading(property: $0.name, value: 10, unit: $0.unit) }
        values.removeAll { $0.property == "spindle_speed" && speed == nil }
        for index in values.indices {
            if values[index].property == "spindle_speed", let speed { values[index].value = speed }
            if values[index].property == "vibration" { values[index].value = vibration }
        }
        return TelemetrySample(time: t0.addingTimeInterval(seconds), sequence: 1, values: values)
    }

    /// Edge node → payloads → host session → feed: what the twin service would apply, in order.
    struct Wire {
        var edge: EdgeNodeSession
        var host = HostSession(configuration: try! .init(hostID: "twinhub"))
        var feed = SparkplugTwinFeed()
        let device = try! SparkplugAddress.device(of: MachineDeviceTests.path)

        init() {
            edge = EdgeNodeSession(configuration: .init(node: device.node))
            _ = edge.handle(.connecting(now: 0))
        }

        mutating func carry(_ actions: [EdgeNodeSession.Action]) -> [SparkplugTwinFeed.Output] {
            var outputs: [SparkplugTwinFeed.Output] = []
            for case .publish(let publication) in actions {
                for action in host.handle(.received(topic: publication.topic.description, payload: publication.payload, now: 5)) {
                    outputs += feed.take(action)
                }
            }
            return outputs
        }
    }

    @Test("A DBIRTH names the kind and carries the state, every property with its unit and range, the counters and the kind's commands")
    func birth() throws {
        let change = StateChange(time: Self.t0, sequence: 1, state: .running, previous: .idle, reason: "shift start")
        let metrics = MachineDevice.birth(kind: Self.cnc, state: change, counters: nil, sample: Self.sample(at: 0, speed: 9_500))
        let byName = Dictionary(uniqueKeysWithValues: metrics.map { ($0.name, $0) })
        #expect(byName["Properties/Kind"]?.value == .string("cnc_machining_centre"))
        #expect(byName["State"]?.value == .string("running"))
        #expect(byName["State/Reason"]?.value == .string("shift start"))
        for property in Self.cnc.properties {
            let metric = try #require(byName[property.name])
            #expect(metric.properties.engineeringUnit == property.unit)
            #expect(metric.properties.engineeringRange == property.limits)
        }
        #expect(byName["spindle_speed"]?.value == .double(9_500))
        #expect(byName["Production/Total"] != nil && byName["Production/Total"]?.value == nil)
        let commands = metrics.map(\.name).filter { $0.hasPrefix("Command/") }
        #expect(commands.count == Self.cnc.commands.count)
        #expect(commands.contains("Command/Start"))
    }

    @Test("Telemetry, state and counters reach the host's twin messages as they were sent")
    func roundTrip() throws {
        var wire = Wire()
        let start = StateChange(time: Self.t0, sequence: 1, state: .running, previous: .idle, reason: "shift start")
        _ = wire.edge.handle(.deviceOnline(deviceID: "cnc1", metrics: MachineDevice.birth(kind: Self.cnc, state: start, counters: nil, sample: nil), now: 0))
        let born = wire.carry(wire.edge.handle(.connected(now: MachineDevice.timestamp(Self.t0))))
        #expect(born.first?.message == .status(MachineStatus(online: true, time: Self.t0, reason: "birth")))
        guard case .state(let state)? = born.dropFirst().first?.message else { Issue.record("no state in \(born)"); return }
        #expect(state.state == .running && state.reason == "shift start")
        #expect(born.allSatisfy { $0.machine == Self.path })

        let sample = Self.sample(at: 1, speed: 9_512.5)
        let data = wire.carry(wire.edge.handle(.deviceValues(deviceID: "cnc1", MachineDevice.updates(sample, kind: Self.cnc),
                                                             now: MachineDevice.timestamp(sample.time))))
        guard case .telemetry(let telemetry)? = data.first?.message else { Issue.record("no telemetry in \(data)"); return }
        #expect(telemetry.kind == "cnc_machining_centre" && telemetry.machine == "cnc1")
        #expect(telemetry.sample.time == sample.time)
        #expect(telemetry.sample.values == sample.values)

        // Report by exception: the next DDATA carries the vibration only; the sample is still whole.
        let next = Self.sample(at: 2, speed: 9_512.5, vibration: 4.4)
        let changed = wire.edge.handle(.deviceValues(deviceID: "cnc1", MachineDevice.updates(next, kind: Self.cnc), now: MachineDevice.timestamp(next.time)))
        guard case .publish(let ddata)? = changed.first else { Issue.record("no DDATA"); return }
        #expect(try SparkplugPayload(decoding: ddata.payload, as: .ddata) { _, _ in .double }.metrics.count == 1)
        guard case .telemetry(let whole)? = wire.carry(changed).first?.message else { Issue.record("no telemetry"); return }
        #expect(whole.sample.values == next.values)
        #expect(whole.sample.sequence == telemetry.sample.sequence + 1)

        // A sensor out is a null metric, and the property leaves the sample.
        let out = Self.sample(at: 3, speed: nil, vibration: 4.4)
        let nulls = wire.carry(wire.edge.handle(.deviceValues(deviceID: "cnc1", MachineDevice.updates(out, kind: Self.cnc), now: MachineDevice.timestamp(out.time))))
        guard case .telemetry(let without)? = nulls.first?.message else { Issue.record("no telemetry"); return }
        #expect(without.sample.value(of: "spindle_speed") == nil)
        #expect(without.sample.values.count == Self.cnc.properties.count - 1)

        let stop = StateChange(time: Self.t0.addingTimeInterval(4), sequence: 2, state: .stopped, previous: .running, reason: "command stop")
        let stopped = wire.carry(wire.edge.handle(.deviceValues(deviceID: "cnc1", MachineDevice.updates(stop), now: MachineDevice.timestamp(stop.time))))
        guard case .state(let second)? = stopped.first?.message else { Issue.record("no state in \(stopped)"); return }
        #expect(second.state == .stopped && second.previous == .running && second.reason == "command stop" && second.time == stop.time)
        #expect(second.sequence == state.sequence + 1)

        let counters = ProductionCounters(time: Self.t0.addingTimeInterval(5), sequence: 7, total: 12, good: 11, scrap: 1, idealCycleTime: .seconds(42))
        let counted = wire.carry(wire.edge.handle(.deviceValues(deviceID: "cnc1", MachineDevice.updates(counters), now: MachineDevice.timestamp(counters.time))))
        guard case .counters(let received)? = counted.first?.message else { Issue.record("no counters in \(counted)"); return }
        #expect(received.total == 12 && received.good == 11 && received.scrap == 1 && received.idealCycleTime == .seconds(42))
        #expect(received.time == counters.time)

        let dead = wire.carry(wire.edge.handle(.deviceOffline(deviceID: "cnc1", now: MachineDevice.timestamp(Self.t0.addingTimeInterval(6)))))
        #expect(dead.map(\.message) == [.status(MachineStatus(online: false, time: Self.t0.addingTimeInterval(6), reason: "DDEATH"))])
    }

    @Test("A DCMD's command metrics become the machine's commands; the service's requests become DCMD metrics")
    func commands() throws {
        let metrics: [SparkplugMetric] = [
            SparkplugMetric(name: "Command/Stop", value: .boolean(true)),
            SparkplugMetric(name: "Command/Start", value: .boolean(false)),
            SparkplugMetric(name: "Command/Inject Fault", value: .string("coolant_loss")),
            SparkplugMetric(name: "Command/Clear Fault", value: .string("")),
            SparkplugMetric(name: "Command/Speed", value: .double(0.8)),
        ]
        #expect(try MachineDeviceCommands.requests(from: metrics) == [
            MachineCommandRequest(command: .stop), MachineCommandRequest(command: .injectFault, fault: "coolant_loss"),
            MachineCommandRequest(command: .clearFault), MachineCommandRequest(command: .setSpeed, value: 0.8),
        ])
        for request in [MachineCommandRequest(command: .start), MachineCommandRequest(command: .hold),
                        MachineCommandRequest(command: .clearFault, fault: "coolant_loss"), MachineCommandRequest(command: .setSpeed, value: 1.2)] {
            #expect(try MachineDeviceCommands.requests(from: try #require(MachineDeviceCommands.metrics(for: request))) == [request])
        }
        #expect(MachineDeviceCommands.metrics(for: MachineCommandRequest(command: .injectFault, fault: "x", duration: .seconds(5))) == nil)

        let refusals: [(SparkplugMetric, SparkplugError.Code, String)] = [
            (SparkplugMetric(name: "Command/Start", value: .string("yes")), .wrongType, "'Command/Start' takes a Boolean"),
            (SparkplugMetric(name: "spindle_speed", value: .double(1)), .invalidValue, "'spindle_speed' is not a command"),
            (SparkplugMetric(name: "Command/Speed", value: nil), .invalidValue, "'Command/Speed' was written null"),
            (SparkplugMetric(name: "Command/Inject Fault", value: .string("")), .invalidValue, "needs a fault's id"),
            (SparkplugMetric(name: "Command/Speed", value: .int32(1)), .wrongType, "takes a Double"),
        ]
        for (metric, code, words) in refusals {
            let error = #expect(throws: SparkplugError.self) { try MachineDeviceCommands.requests(from: [metric]) }
            #expect(error?.code == code)
            #expect(error?.reason.contains(words) == true, "\(error?.reason ?? "")")
        }
    }

    @Test("A device TwinHub did not write: a generic twin of its numeric metrics, texts counted; node metrics make a machine of the node")
    func foreignDevice() throws {
        let node = try EdgeNodeDescriptor(groupID: "Plant A", edgeNodeID: "PLC 7")
        let device = try DeviceDescriptor(node: node, deviceID: "Press")
        var feed = SparkplugTwinFeed()
        let born = feed.take(.online(.device(device), metrics: [
            .init(name: "Pressure", value: .float(12.5), dataType: .float, unit: "bar", timestamp: 1_000),
            .init(name: "Running", value: .boolean(true), dataType: .boolean, unit: nil, timestamp: 1_000),
            .init(name: "Recipe", value: .string("A-12"), dataType: .string, unit: nil, timestamp: 1_000),
        ]))
        let machine = PlantPath(site: "Plant A", area: "PLC 7", line: "PLC 7", machine: "Press")
        #expect(born.map(\.machine) == [machine, machine])
        guard case .telemetry(let telemetry)? = born.last?.message else { Issue.record("no telemetry in \(born)"); return }
        #expect(telemetry.kind == SparkplugTwinFeed.genericKind)
        #expect(telemetry.sample.values == [.init(property: "Pressure", value: 12.5, unit: "bar"), .init(property: "Running", value: 1, unit: "")])
        #expect(feed.metricsNotApplied == 1)
        #expect(feed.sources[machine] == .device(device))

        let nodeBorn = feed.take(.online(.node(node), metrics: [
            .init(name: "bdSeq", value: .int64(0), dataType: .int64, unit: nil, timestamp: 1_000),
            .init(name: "Node Control/Rebirth", value: .boolean(false), dataType: .boolean, unit: nil, timestamp: 1_000),
            .init(name: "Uptime", value: .int64(5), dataType: .int64, unit: "s", timestamp: 1_000),
        ]))
        #expect(nodeBorn.first?.machine == PlantPath(site: "Plant A", area: "PLC 7", line: "PLC 7", machine: "PLC 7"))
        guard case .telemetry(let nodeTelemetry)? = nodeBorn.last?.message else { Issue.record("no telemetry in \(nodeBorn)"); return }
        #expect(nodeTelemetry.sample.values.map(\.property) == ["Uptime"])

        // A TwinHub edge node (only bookkeeping metrics) is no machine.
        let line = try EdgeNodeDescriptor(groupID: "plant1", edgeNodeID: "assembly:line1")
        #expect(feed.take(.online(.node(line), metrics: [.init(name: "bdSeq", value: .int64(0), dataType: .int64, unit: nil, timestamp: 1)])).isEmpty)
        #expect(feed.take(.offline(.node(line), at: 2, staleMetrics: [])).isEmpty)
    }

    @Test("Hostile counters (NaN, infinite, negative, beyond Int) are not applied, and never crash the host")
    func hostileCounters() {
        var feed = SparkplugTwinFeed()
        let device = try! SparkplugAddress.device(of: Self.path)
        _ = feed.take(.online(.device(device), metrics: [.init(name: "Properties/Kind", value: .string("cnc_machining_centre"), dataType: .string, unit: nil, timestamp: 1)]))
        let hostile: [SparkplugValue] = [.double(.nan), .double(.infinity), .double(-5), .double(1e300), .uint64(.max), .float(-.infinity)]
        for value in hostile {
            for name in ["Production/Total", "Production/Good", "Production/Scrap", "Production/Ideal Cycle Time"] {
                _ = feed.take(.updated(.device(device), [.init(name: name, value: value, dataType: value.dataType, unit: nil, timestamp: 2)]))
            }
        }
        #expect(feed.metricsNotApplied >= 20)
        let fine = feed.take(.updated(.device(device), [.init(name: "Production/Total", value: .int64(7), dataType: .int64, unit: nil, timestamp: 3)]))
        guard case .counters(let counters)? = fine.first?.message else { Issue.record("no counters in \(fine)"); return }
        #expect(counters.total == 7 && counters.good == 0 && counters.idealCycleTime == .zero)
    }
}
