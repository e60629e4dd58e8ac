import Foundation
import TwinModel
import TwinHubProtocol
import FleetView

/// What the trainer sees and does, apart from the plant itself: focus, selection, filter, overlays, prompts
/// and commands waiting for their effect. A pure state machine: keys in, ``ConsoleAction``s out.
public struct ConsoleUI: Sendable, Equatable {
    /// The lists that take the selection.
    public enum Pane: Sendable, Equatable {
        case alerts, fleet
    }

    /// A view drawn over the panes.
    public enum Overlay: Sendable, Equatable {
        /// The keys.
        case help
        /// The focused item's full detail.
        case detail
        /// The faults of a machine's kind, one selected.
        case faultMenu(machine: PlantPath, faults: [FaultChoice], selected: Int)
    }

    /// A line of text being typed in the footer.
    public struct Prompt: Sendable, Equatable {
        public enum Purpose: Sendable, Equatable {
            /// An optional comment for acknowledging this alert.
            case acknowledge(AlertKey)
            /// The filter, applied as it is typed.
            case filter
        }

        public var purpose: Purpose
        public var text: String
    }

    /// How long a command may take to show its effect before the console says it saw none.
    public static let pendingTimeout: TimeInterval = 15
    /// How long a status message stays.
    public static let statusLifetime: TimeInterval = 8

    /// Who acknowledges (`by` in acknowledgements).
    public let user: String
    /// The faults of each kind, for the fault menu.
    public let faults: [String: [FaultChoice]]

    public var focus: Pane = .alerts
    /// The selected alert, once the selection is pinned.
    public var selectedAlert: AlertKey? { alertSelection.key }
    /// The selected machine, once the selection is pinned.
    public var selectedMachine: PlantPath? { machineSelection.key }
    public private(set) var overlay: Overlay?
    public private(set) var prompt: Prompt?
    /// Text every shown alert and machine contains (case-insensitive); empty shows all.
    public private(set) var filter = ""
    public private(set) var status: StatusMessage?
    public private(set) var pending: [PendingAction] = []
    public private(set) var quitRequested = false

    private var alertSelection = ListSelection<AlertKey>()
    private var machineSelection = ListSelection<PlantPath>()

    public init(user: String, faults: [String: [FaultChoice]] = [:]) {
        self.user = user
        self.faults = faults
    }

    // MARK: What is shown

    /// Open alerts that pass the filter, in display order.
    public func visibleAlerts(in model: FleetModel) -> [AlertSnapshot] {
        let alerts = model.sortedAlerts
        guard !filter.isEmpty else { return alerts }
        return alerts.filter { alert in
            [alert.key.machine.description, alert.kind, alert.key.rule, alert.name, alert.message, alert.severity.rawValue]
                .contains { $0.localizedCaseInsensitiveContains(filter) }
        }
    }

    /// Machines that pass the filter, by site, area, line and name.
    public func visibleMachines(in model: FleetModel) -> [TwinSnapshot] {
        let machines = model.sortedMachines
        guard !filter.isEmpty else { return machines }
        return machines.filter { machine in
            [machine.key.description, machine.kind, machine.state, machine.connectivity].contains { $0.localizedCaseInsensitiveContains(filter) }
        }
    }

    /// The position of the selected alert among the visible ones.
    public func alertIndex(in model: FleetModel) -> Int? {
        alertSelection.index(in: visibleAlerts(in: model).map(\.key))
    }

    /// The position of the selected machine among the visible ones.
    public func machineIndex(in model: FleetModel) -> Int? {
        machineSelection.index(in: visibleMachines(in: model).map(\.key))
    }

    /// The selected alert (or the one now in its place, if it closed).
    public func currentAlert(in model: FleetModel) -> AlertSnapshot? {
        alertIndex(in: model).map { visibleAlerts(in: model)[$0] }
    }

    /// The selected machine (or the one now in its place).
    public func currentMachine(in model: FleetModel) -> TwinSnapshot? {
        machineIndex(in: model).map { visibleMachines(in: model)[$0] }
    }

    /// The machine the actions (`f`, `c`, `s`) act on: the selected machine, or the selected alert's.
    public func targetMachine(in model: FleetModel) -> PlantPath? {
        switch focus {
        case .fleet: currentMachine(in: model)?.key
        case .alerts: currentAlert(in: model)?.key.machine ?? currentMachine(in: model)?.key
        }
    }

    /// The machine whose properties and history the detail shows.
    public func shownMachine(in model: FleetModel) -> PlantPath? {
        switch focus {
        case .fleet: currentMachine(in: model)?.key
        case .alerts: currentAlert(in: model)?.key.machine
        }
    }

    // MARK: Keys

    /// Handles one key. Returns what to send to the plant, or `.quit`.
    public mutating func handle(_ key: Key, model: FleetModel, now: Date) -> [ConsoleAction] {
        if key == .control("c") {
            quitRequested = true
            return [.quit]
        }
        if prompt != nil { return handlePrompt(key, model: model, now: now) }
        if let overlay { return handleOverlay(overlay, key: key, model: model, now: now) }
        switch key {
        case .character("q"):
            quitRequested = true
            return [.quit]
        case .tab, .backTab:
            focus = focus == .alerts ? .fleet : .alerts
        case .up, .character("k"): move(by: -1, model: model)
        case .down, .character("j"): move(by: 1, model: model)
        case .pageUp: move(by: -10, model: model)
        case .pageDown: move(by: 10, model: model)
        case .home, .character("g"): move(by: -Int.max / 2, model: model)
        case .end, .character("G"): move(by: Int.max / 2, model: model)
        case .left, .character("h"): focus = .alerts
        case .right, .character("l"): focus = .fleet
        case .enter: overlay = .detail
        case .character("?"): overlay = .help
        case .character("/"): prompt = Prompt(purpose: .filter, text: filter)
        case .escape:
            if !filter.isEmpty { filter = "" }
        case .character("a"): beginAcknowledgement(model: model, now: now)
        case .character("f"): openFaultMenu(model: model, now: now)
        case .character("c"): return clearFaults(model: model, now: now)
        case .character("s"): return startOrStop(model: model, now: now)
        default: break
        }
        return []
    }

    private mutating func move(by offset: Int, model: FleetModel) {
        switch focus {
        case .alerts: alertSelection.move(by: offset, in: visibleAlerts(in: model).map(\.key))
        case .fleet: machineSelection.move(by: offset, in: visibleMachines(in: model).map(\.key))
        }
    }

    private mutating func handleOverlay(_ overlay: Overlay, key: Key, model: FleetModel, now: Date) -> [ConsoleAction] {
        switch overlay {
        case .help:
            self.overlay = nil
        case .detail:
            switch key {
            case .up, .character("k"): move(by: -1, model: model)
            case .down, .character("j"): move(by: 1, model: model)
            case .tab, .backTab: focus = focus == .alerts ? .fleet : .alerts
            case .escape, .enter: self.overlay = nil
            default:
                // Any other key does what it does on the main screen, over the detail.
                self.overlay = nil
                let actions = handle(key, model: model, now: now)
                if self.overlay == nil && prompt == nil && !quitRequested { self.overlay = .detail }
                return actions
            }
        case .faultMenu(let machine, let faults, let selected):
            switch key {
            case .up, .character("k"): self.overlay = .faultMenu(machine: machine, faults: faults, selected: max(0, selected - 1))
            case .down, .character("j"): self.overlay = .faultMenu(machine: machine, faults: faults, selected: min(faults.count - 1, selected + 1))
            case .enter:
                self.overlay = nil
                return [inject(faults[selected], into: machine, now: now)]
            case .character(let digit) where digit.wholeNumberValue.map { (1...faults.count).contains($0) } ?? false:
                self.overlay = nil
                return [inject(faults[digit.wholeNumberValue! - 1], into: machine, now: now)]
            default:
                self.overlay = nil
            }
        }
        return []
    }

    private mutating func handlePrompt(_ key: Key, model: FleetModel, now: Date) -> [ConsoleAction] {
        guard var prompt else { return [] }
        switch key {
        case .character(let character):
            guard prompt.text.count < 200 else { return [] }
            prompt.text.append(character)
        case .backspace:
            if !prompt.text.isEmpty { prompt.text.removeLast() }
        case .control("u"):
            prompt.text = ""
        case .escape:
            if prompt.purpose == .filter { filter = "" }
            self.prompt = nil
            return []
        case .enter:
            self.prompt = nil
            if case .acknowledge(let alert) = prompt.purpose {
                guard model.alerts[alert] != nil else {
                    status = StatusMessage("\(alert.machine.name) \(alert.rule) closed meanwhile: nothing to acknowledge", tone: .warning, time: now)
                    return []
                }
                return [acknowledge(alert, comment: prompt.text.trimmingCharacters(in: .whitespaces), model: model, now: now)]
            }
            return []
        default:
            return []
        }
        self.prompt = prompt
        if prompt.purpose == .filter { filter = prompt.text }
        return []
    }

    // MARK: Actions

    private mutating func beginAcknowledgement(model: FleetModel, now: Date) {
        let alert: AlertSnapshot?
        switch focus {
        case .alerts:
            alert = currentAlert(in: model)
        case .fleet:
            alert = currentMachine(in: model).flatMap { machine in
                visibleAlerts(in: model).first { $0.key.machine == machine.key && !$0.isAcknowledged }
            }
        }
        guard let alert else {
            status = StatusMessage("no alert to acknowledge here", tone: .warning, time: now)
            return
        }
        if let ack = alert.acknowledgement {
            status = StatusMessage("\(alert.key.machine.name) \(alert.key.rule) is already acknowledged by \(ack.by)", tone: .warning, time: now)
            return
        }
        prompt = Prompt(purpose: .acknowledge(alert.key), text: "")
    }

    private mutating func acknowledge(_ alert: AlertKey, comment: String, model: FleetModel, now: Date) -> ConsoleAction {
        expect(.acknowledged(alert, afterEvent: model.eventCount), what: "acknowledgement of \(alert.machine.name) \(alert.rule)", success: "\(alert.machine.name) \(alert.rule) acknowledged", now: now,
               sent: "acknowledgement of \(alert.machine.name) \(alert.rule) sent; waiting for the twin service")
        return .send(.acknowledge(alert, AcknowledgementRequest(by: user, comment: comment)))
    }

    private mutating func openFaultMenu(model: FleetModel, now: Date) {
        guard let key = targetMachine(in: model), let machine = model.machines[key] else {
            status = StatusMessage("select a machine first", tone: .warning, time: now)
            return
        }
        guard let choices = faults[machine.kind], !choices.isEmpty else {
            status = StatusMessage("no faults known for kind \(machine.kind) (see --twins)", tone: .warning, time: now)
            return
        }
        overlay = .faultMenu(machine: key, faults: choices, selected: 0)
    }

    private mutating func inject(_ fault: FaultChoice, into machine: PlantPath, now: Date) -> ConsoleAction {
        var request = MachineCommandRequest(command: .injectFault)
        request.fault = fault.name
        status = StatusMessage("inject_fault \(fault.name) sent to \(machine.name); its effect shows as the twin changes", time: now)
        return command(request, to: machine)
    }

    private mutating func clearFaults(model: FleetModel, now: Date) -> [ConsoleAction] {
        guard let key = targetMachine(in: model) else {
            status = StatusMessage("select a machine first", tone: .warning, time: now)
            return []
        }
        if model.machines[key]?.state == MachineState.fault.rawValue {
            expect(.leftState(key, MachineState.fault.rawValue), what: "clear_fault of \(key.name)", success: "\(key.name) is out of fault", now: now,
                   sent: "clear_fault sent to \(key.name); waiting for its twin")
        } else {
            status = StatusMessage("clear_fault sent to \(key.name) (clears every active fault)", time: now)
        }
        return [command(MachineCommandRequest(command: .clearFault), to: key)]
    }

    private mutating func startOrStop(model: FleetModel, now: Date) -> [ConsoleAction] {
        guard let key = targetMachine(in: model), let machine = model.machines[key] else {
            status = StatusMessage("select a machine first", tone: .warning, time: now)
            return []
        }
        switch machine.machineState {
        case .running?, .setup?, .starved?, .held?:
            expect(.state(key, [MachineState.stopped.rawValue]), what: "stop of \(key.name)", success: "\(key.name) is stopped", now: now,
                   sent: "stop sent to \(key.name); waiting for its twin")
            return [command(MachineCommandRequest(command: .stop), to: key)]
        case .stopped?, .idle?:
            expect(.state(key, [MachineState.running.rawValue]), what: "start of \(key.name)", success: "\(key.name) is running", now: now,
                   sent: "start sent to \(key.name); waiting for its twin")
            return [command(MachineCommandRequest(command: .start), to: key)]
        case .fault?:
            status = StatusMessage("\(key.name) is in fault: clear it with c first", tone: .warning, time: now)
        default:
            status = StatusMessage("\(key.name) is \(machine.state): it takes no start or stop", tone: .warning, time: now)
        }
        return []
    }

    private func command(_ request: MachineCommandRequest, to machine: PlantPath) -> ConsoleAction {
        .send(.command(machine, request))
    }

    private mutating func expect(_ expectation: PendingAction.Expectation, what: String, success: String, now: Date, sent: String) {
        pending.removeAll { $0.expectation == expectation }
        pending.append(PendingAction(expectation: expectation, what: what, success: success, sentAt: now))
        status = StatusMessage(sent, time: now)
    }

    // MARK: Time and changes

    /// Shows why the last command could not be sent, and stops waiting for its effect.
    public mutating func abandonPending(because message: StatusMessage) {
        if !pending.isEmpty { pending.removeLast() }
        status = message
    }

    /// Resolves the commands whose effect `model` shows, expires those that took too long, retires an old
    /// status message, and keeps each selection's place. Call after every model change and once a second.
    public mutating func observe(_ model: FleetModel, now: Date) {
        // Remember where the selections are, so one that closes hands over to its neighbour, not to the top.
        // The selection is pinned to an alert and a machine, not to a row: a new alert sorting above it does not
        // move the highlight under the trainer's hands.
        alertSelection.pin(in: visibleAlerts(in: model).map(\.key))
        machineSelection.pin(in: visibleMachines(in: model).map(\.key))
        var remaining: [PendingAction] = []
        for action in pending {
            if action.isFulfilled(by: model) {
                status = StatusMessage(action.success, tone: .success, time: now)
            } else if now.timeIntervalSince(action.sentAt) > Self.pendingTimeout {
                status = StatusMessage("no effect of the \(action.what) seen after \(Int(Self.pendingTimeout)) s", tone: .warning, time: now)
            } else {
                remaining.append(action)
            }
        }
        pending = remaining
        if let status, pending.isEmpty, now.timeIntervalSince(status.time) > Self.statusLifetime { self.status = nil }
    }
}
