import TwinModel

/// A TwinHub machine's commands as writable metrics of its device, in the `Command/` folder of its DBIRTH, so a
/// host (Ignition, TwinHub's twin service) commands it with a DCMD:
///
/// | metric | type | a write of | does |
/// | --- | --- | --- | --- |
/// | `Command/Start`, `Command/Stop`, `Command/Hold`, `Command/Reset` | Boolean | `true` | the command (`false` does nothing: a momentary button's release) |
/// | `Command/Inject Fault` | String | a fault's id | `inject_fault` |
/// | `Command/Clear Fault` | String | a fault's id, or empty for all | `clear_fault` |
/// | `Command/Speed` | Double | a factor, 0.1 to 1.5 | `set_speed` |
///
/// Only the commands the machine's kind accepts are in its birth.
public enum MachineDeviceCommands {
    public static let folder = "Command/"

    /// The metric of each command.
    public static func metricName(_ command: MachineCommand) -> String {
        switch command {
        case .start: folder + "Start"
        case .stop: folder + "Stop"
        case .hold: folder + "Hold"
        case .reset: folder + "Reset"
        case .injectFault: folder + "Inject Fault"
        case .clearFault: folder + "Clear Fault"
        case .setSpeed: folder + "Speed"
        }
    }

    /// The command of a metric name, if it is one.
    public static func command(named name: String) -> MachineCommand? {
        MachineCommand.allCases.first { metricName($0) == name }
    }

    /// The metrics of `commands` as a birth carries them, in a fixed order, at rest (false, empty, speed 1).
    public static func definitions(for commands: Set<MachineCommand>) -> [SparkplugMetricDefinition] {
        MachineCommand.allCases.filter(commands.contains).map { command in
            switch command {
            case .start, .stop, .hold, .reset:
                SparkplugMetricDefinition(name: metricName(command), dataType: .boolean, value: .boolean(false))
            case .injectFault, .clearFault:
                SparkplugMetricDefinition(name: metricName(command), dataType: .string, value: .string(""))
            case .setSpeed:
                SparkplugMetricDefinition(name: metricName(command), dataType: .double, value: .double(1))
            }
        }
    }

    /// The requests a DCMD's metrics (names resolved) ask for, in order; a Boolean written `false` asks for nothing.
    /// - Throws: ``SparkplugError`` naming the metric: not a command, null, or a value of the wrong type.
    public static func requests(from metrics: [SparkplugMetric]) throws(SparkplugError) -> [MachineCommandRequest] {
        var requests: [MachineCommandRequest] = []
        for metric in metrics {
            let name = metric.name ?? metric.alias.map { "alias \($0)" } ?? "a metric without a name"
            guard let metricName = metric.name, let command = command(named: metricName) else {
                throw SparkplugError(.invalidValue, "'\(name)' is not a command of this device (the Command/ folder of its DBIRTH)")
            }
            guard let value = metric.value else { throw SparkplugError(.invalidValue, "'\(name)' was written null") }
            switch command {
            case .start, .stop, .hold, .reset:
                guard let on = value.bool else { throw wrongType(name, value, "Boolean") }
                if on { requests.append(MachineCommandRequest(command: command)) }
            case .injectFault, .clearFault:
                guard let fault = value.text else { throw wrongType(name, value, "String") }
                if command == .injectFault && fault.isEmpty { throw SparkplugError(.invalidValue, "'\(name)' needs a fault's id") }
                requests.append(MachineCommandRequest(command: command, fault: fault.isEmpty ? nil : fault))
            case .setSpeed:
                guard let factor = value.number, case .double = value else { throw wrongType(name, value, "Double") }
                requests.append(MachineCommandRequest(command: command, value: factor))
            }
        }
        return requests
    }

    /// The DCMD metrics (by name) that ask a machine for `request`; `nil` for what a metric cannot say (a fault's duration).
    public static func metrics(for request: MachineCommandRequest) -> [SparkplugMetric]? {
        let name = metricName(request.command)
        switch request.command {
        case .start, .stop, .hold, .reset:
            return [SparkplugMetric(name: name, dataType: .boolean, value: .boolean(true))]
        case .injectFault:
            guard let fault = request.fault, request.duration == nil else { return nil }
            return [SparkplugMetric(name: name, dataType: .string, value: .string(fault))]
        case .clearFault:
            return [SparkplugMetric(name: name, dataType: .string, value: .string(request.fault ?? ""))]
        case .setSpeed:
            guard let value = request.value else { return nil }
            return [SparkplugMetric(name: name, dataType: .double, value: .double(value))]
        }
    }

    private static func wrongType(_ name: String, _ value: SparkplugValue, _ expected: String) -> SparkplugError {
        SparkplugError(.wrongType, "'\(name)' takes a \(expected), not \(value.dataType)")
    }
}
