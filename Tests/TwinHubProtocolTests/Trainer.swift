import FleetView
import Console
import Foundation
import TwinModel
import TwinHubProtocol

/// A trainer at the console: a ``FleetModel`` that reads what the twin service publishes through
/// ``ServiceMessageDecoder``, and ``ConsoleUI`` keys whose intents are the acknowledgements and commands it publishes.
struct Trainer {
    private(set) var model: FleetModel
    private(set) var ui: ConsoleUI
    let decoder: ServiceMessageDecoder
    let topics: TopicMap

    init(topics: TopicMap, kinds: [String: MachineKind], user: String = "ana") {
        model = FleetModel(broker: "mqtt://localhost:1883", root: topics.root)
        ui = ConsoleUI(user: user, faults: FaultChoice.menus(for: kinds.mapValues(\.interface)))
        decoder = ServiceMessageDecoder(topics: topics)
        self.topics = topics
    }

    /// A message the console may show; why it could not read it, if it could not.
    mutating func read(_ publication: ServiceHarness.Publication) -> String? {
        do {
            if let update = try decoder.decode(topic: publication.topic, payload: publication.payload) { model.apply(update) }
            return nil
        } catch {
            return error.description
        }
    }

    /// Presses `keys`; returns what the console publishes.
    mutating func press(_ keys: [Key], at time: Date) -> [(topic: String, payload: [UInt8])] {
        ui.observe(model, now: time)
        var published: [(topic: String, payload: [UInt8])] = []
        for key in keys {
            for case .send(let intent) in ui.handle(key, model: model, now: time) {
                let message = intent.message(in: topics)
                published.append((message.topic, message.payload))
            }
        }
        return published
    }

    /// Selects `machine` in the fleet pane.
    mutating func select(machine: String, at time: Date) -> [(topic: String, payload: [UInt8])] {
        var published = ui.focus == .fleet ? [] : press([.tab], at: time)
        published += press([.home], at: time)
        for _ in 0..<model.machines.count where ui.currentMachine(in: model)?.key.machine != machine { published += press([.down], at: time) }
        return published
    }

    /// Acknowledges, with `comment`, the first alert the console lists (the most severe) that waits for an
    /// acknowledgement; nothing if there is none.
    mutating func acknowledgeFirstAlert(comment: String, at time: Date) -> [(topic: String, payload: [UInt8])] {
        var published = ui.focus == .alerts ? [] : press([.tab], at: time)
        published += press([.home], at: time)
        for _ in 0..<model.alerts.count where ui.currentAlert(in: model)?.isAcknowledged == true { published += press([.down], at: time) }
        guard ui.currentAlert(in: model)?.isAcknowledged == false else { return published }
        return published + press([.character("a")] + comment.map(Key.character) + [.enter], at: time)
    }
}
