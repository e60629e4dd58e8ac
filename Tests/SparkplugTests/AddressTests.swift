import Testing
import Foundation
import TwinModel
@testable import SparkplugB

@Suite("TwinHub plant paths in the Sparkplug namespace")
struct AddressTests {
    @Test("A site is a group, a line an edge node, a machine a device, and back")
    func machine() throws {
        let path = PlantPath(site: "plant1", area: "assembly", line: "line1", machine: "cnc1")
        let device = try SparkplugAddress.device(of: path)
        #expect(device == Fixture.device)
        #expect(SparkplugAddress.machine(of: device) == path)
    }

    @Test("A path without a line or machine, or an area with ':', has no edge node or device")
    func refused() {
        #expect(throws: SparkplugError.self) { try SparkplugAddress.edgeNode(of: PlantPath(site: "plant1", area: "a")) }
        #expect(throws: SparkplugError.self) { try SparkplugAddress.device(of: PlantPath(site: "plant1", area: "a", line: "l")) }
        #expect(throws: SparkplugError.self) { try SparkplugAddress.edgeNode(of: PlantPath(site: "p", area: "a:b", line: "l")) }
    }

    @Test("A property becomes a typed metric with engUnit, engLow and engHigh")
    func property() {
        let spec = PropertySpec(name: "spindle_speed", type: .number, unit: "rpm", normal: 8_000...16_000, limits: 0...24_000, decimals: 0,
                                location: SourceLocation(file: "cnc.yaml", line: 1, column: 1))
        let metric = SparkplugMetricDefinition(property: spec, value: 12_000.4)
        #expect(metric.dataType == .double)
        #expect(metric.value == .double(12_000.4))
        #expect(metric.properties.engineeringUnit == "rpm")
        #expect(metric.properties.engineeringRange == 0...24_000)
        var integer = spec
        integer.type = .integer
        #expect(SparkplugMetricDefinition(property: integer, value: 3.6).value == .int64(4))
    }

    @Test("TwinHub numbers map to every numeric type, and refuse what does not fit")
    func numbers() {
        #expect(SparkplugValue(number: -1, as: .int8) == .int8(-1))
        #expect(SparkplugValue(number: 300, as: .uint8) == nil)
        #expect(SparkplugValue(number: .nan, as: .double) == nil)
        #expect(SparkplugValue(number: 1, as: .boolean) == .boolean(true))
        #expect(SparkplugValue(number: 5, as: .string) == nil)
        let date = SparkplugValue(date: Date(timeIntervalSince1970: 1_600_000_000.25))
        #expect(date == .dateTime(1_600_000_000_250))
        #expect(date?.date == Date(timeIntervalSince1970: 1_600_000_000.25))
    }
}
