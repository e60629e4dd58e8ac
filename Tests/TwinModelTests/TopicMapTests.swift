import Testing
import TwinModel
import TwinHubProtocol

@Suite("TopicMap reads back alert and aggregate topics as paths")
struct TopicMapTests {
    let topics = try! TopicMap(root: "acme")
    let machine = PlantPath(site: "leuven", area: "fab", line: "line-1", machine: "laser-01")

    @Test("Alert and acknowledgement topics round-trip through AlertKey")
    func alerts() {
        let key = AlertKey(machine: machine, rule: "overheat")
        #expect(topics.alert(key) == "acme/leuven/fab/line-1/laser-01/alert/overheat")
        #expect(topics.alertTopic(of: topics.alert(key)) == .init(alert: key, isAcknowledgement: false))
        #expect(topics.alertTopic(of: topics.alertAcknowledgement(key)) == .init(alert: key, isAcknowledgement: true))
        for bad in ["acme/leuven/fab/line-1/laser-01/alert", "acme/leuven/fab/line-1/laser-01/alert/overheat/nack",
                    "acme/leuven/fab//laser-01/alert/overheat", "other/leuven/fab/line-1/laser-01/alert/overheat"] {
            #expect(topics.alertTopic(of: bad) == nil, "\(bad)")
        }
    }

    @Test("Aggregate topics of a site, area and line round-trip through PlantPath")
    func aggregates() {
        for path in machine.prefixes {
            #expect(topics.aggregateTopic(of: topics.aggregate(path)) == .init(path: path, channel: .kpi))
            #expect(topics.aggregateTopic(of: topics.alertCounts(path)) == .init(path: path, channel: .alerts))
        }
        #expect(topics.aggregate(PlantPath(site: "leuven")) == "acme/leuven/kpi")
        #expect(topics.aggregateTopic(of: "acme/_twinhub/kpi") == nil)
        #expect(topics.aggregateTopic(of: "acme/leuven/fab/line-1/laser-01/kpi") == nil)
        #expect(topics.aggregateFilters(.alerts) == ["acme/+/alerts", "acme/+/+/alerts", "acme/+/+/+/alerts"])
    }
}
