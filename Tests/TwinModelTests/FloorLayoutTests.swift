import Foundation
import Testing
@testable import TwinModel

@Suite("Floor layout")
struct FloorLayoutTests {
    let kinds: [String: MachineKind]

    init() throws {
        kinds = try KindLoader.loadDirectory(Repository.twins)
    }

    static func machine(_ line: String, _ name: String, area: String = "a") -> (path: PlantPath, kind: String?) {
        (PlantPath(site: "s", area: area, line: line, machine: name), "press_brake")
    }

    /// Whether the floor spaces of two machines (rotation left out) overlap.
    static func overlap(_ a: FloorLayout.Item, _ b: FloorLayout.Item) -> Bool {
        abs(a.pose.position[0] - b.pose.position[0]) < (a.footprint.width + b.footprint.width) / 2
            && abs(a.pose.position[2] - b.pose.position[2]) < (a.footprint.depth + b.footprint.depth) / 2
    }

    @Test("Every shipped scenario has a floor: each machine on its own space, the same every time")
    func shippedScenarios() throws {
        for file in YAMLFiles.list(in: Repository.simulations) {
            let scenario = try ScenarioLoader.load(file: file, kinds: kinds)
            let floor = scenario.floor
            #expect(floor.machines.count == scenario.machines.count, "\(scenario.id)")
            #expect(floor.machines.map(\.path) == scenario.machines.map(\.path))
            // Neighbours in order are where overlaps would come from; all pairs of a small scenario.
            let machines = floor.machines
            let pairs = machines.count <= 200
                ? machines.indices.flatMap { i in machines.indices.filter { $0 > i }.map { (i, $0) } }
                : machines.indices.dropLast().map { ($0, $0 + 1) }
            for (i, j) in pairs {
                #expect(!Self.overlap(machines[i], machines[j]), "\(scenario.id): \(machines[i].path) and \(machines[j].path) overlap")
            }
            #expect(scenario.floor.machines == machines, "deterministic")
        }
    }

    @Test("Lines of an area stand one behind the other, areas side by side; groups span their machines")
    func automaticGroups() throws {
        let floor = FloorLayout(machines: [Self.machine("l1", "m1"), Self.machine("l1", "m2"), Self.machine("l2", "m3"),
                                           Self.machine("l3", "m4", area: "b")])
        let items = floor.items
        let m1 = try #require(items[Self.machine("l1", "m1").path]), m2 = try #require(items[Self.machine("l1", "m2").path])
        let m3 = try #require(items[Self.machine("l2", "m3").path]), m4 = try #require(items[Self.machine("l3", "m4", area: "b").path])
        #expect(m1.pose.position[2] == m2.pose.position[2] && m2.pose.position[0] > m1.pose.position[0], "a row along X")
        #expect(m3.pose.position[2] > m1.pose.position[2] + m1.footprint.depth, "the next line behind, past an aisle")
        #expect(m4.pose.position[0] > m2.pose.position[0] + m2.footprint.width, "the next area beside")
        #expect(m1.automatic && m1.asset == "press_brake")
        let line = try #require(items[PlantPath(site: "s", area: "a", line: "l1")])
        #expect(line.footprint.width == 2 * Footprint.machine.width + FloorLayout.machineGap)
        #expect(line.pose.position[0] == (m1.pose.position[0] + m2.pose.position[0]) / 2, "a group's pose is its centre")
        #expect(items[PlantPath(site: "s")] != nil && items[PlantPath(site: "s", area: "b")] != nil)
    }

    @Test("A long line becomes a near-square grid")
    func grid() {
        let floor = FloorLayout(machines: (1...100).map { Self.machine("l", "m\($0)") })
        #expect(Set(floor.machines.map { $0.pose.position[0] }).count == 10)
        #expect(Set(floor.machines.map { $0.pose.position[2] }).count == 10)
    }

    @Test("A declared pose is relative to what contains it; rotations compose")
    func declaredPoses() throws {
        let line = PlantPath(site: "s", area: "a", line: "l")
        let machine = PlantPath(site: "s", area: "a", line: "l", machine: "m")
        let floor = FloorLayout(machines: [(machine, "press_brake")], declared: [
            PlantPath(site: "s"): Placement(pose: Pose(x: 0, y: 0, z: 0)),
            PlantPath(site: "s", area: "a"): Placement(pose: Pose(x: 100, y: 0, z: 0)),
            line: Placement(pose: Pose(x: 10, y: 0, z: 5, yaw: 90)),
            machine: Placement(pose: Pose(x: 2, y: 0, z: 0, yaw: 90), footprint: Footprint(width: 4, depth: 3), asset: "brake_model"),
        ])
        let item = try #require(floor.items[machine])
        // The line turned 90° counter-clockwise seen from above: its X axis points along -Z.
        #expect(item.pose.position == [110, 0, 3])
        #expect(abs(item.pose.yawDegrees - 180) < 1e-9 || abs(item.pose.yawDegrees + 180) < 1e-9)
        #expect(item.local == Pose(x: 2, y: 0, z: 0, yaw: 90).roundedForTest)
        #expect(item.footprint == Footprint(width: 4, depth: 3) && item.asset == "brake_model" && !item.automatic)
    }

    @Test("Scenario YAML places sites, areas, lines and machines; a counted fleet spreads along its line")
    func yaml() throws {
        let scenario = try ScenarioLoader.load(yaml: """
            scenario: s
            sites:
              - id: a
                pose: [0, 0, 0]
                areas:
                  - id: b
                    pose: { position: [10, 0, 20], rotation: 90 }
                    lines:
                      - id: c
                        footprint: [30, 8]
                        machines:
                          - { id: m, kind: press_brake, count: 3, pose: [1, 0, 2], footprint: [4, 3], asset: brake }
                          - { id: n, kind: press_brake, pose: { position: [0, 0, 0], rotation: [0, 0, 0, 2] } }
            """, file: "s.yaml", kinds: kinds)
        let placements = scenario.placements
        #expect(placements[PlantPath(site: "a", area: "b")]?.pose == Pose(x: 10, y: 0, z: 20, yaw: 90))
        #expect(placements[PlantPath(site: "a", area: "b", line: "c")]?.footprint == Footprint(width: 30, depth: 8))
        let fleet = (1...3).map { placements[PlantPath(site: "a", area: "b", line: "c", machine: "m-0\($0)")] }
        #expect(fleet.map { $0?.pose?.position[0] } == [1, 6.5, 12])
        #expect(fleet.allSatisfy { $0?.asset == "brake" && $0?.footprint == Footprint(width: 4, depth: 3) })
        #expect(placements[PlantPath(site: "a", area: "b", line: "c", machine: "n")]?.pose?.rotation == [0, 0, 0, 1], "normalised")
        #expect(scenario.floor.machines.map(\.asset) == ["brake", "brake", "brake", "press_brake"])
    }

    @Test("Layout errors point at the line and column", arguments: [
        ("pose: [1, 2]", 9, 51, "pose position must be [x, y, z], 3 numbers, not 2"),
        ("pose: { position: [1, 2, 3], rotation: [0, 0, 0, 0] }", 9, 84, "must not be all zeros"),
        ("pose: { position: [1, 2, 3], rotation: north }", 9, 84, "must be a finite number, not 'north'"),
        ("pose: { position: [1, 2, 3], turn: 90 }", 9, 74, "unknown key 'turn' in a pose"),
        ("footprint: [4, -1]", 9, 60, "a footprint's side must be more than 0"),
        ("footprint: 4", 9, 56, "footprint must be"),
        ("asset: ''", 9, 52, "asset must be a name of 1 to 128 characters"),
        ("poze: [1, 2, 3]", 9, 45, "unknown key 'poze' in a machine; did you mean 'pose'?"),
    ])
    func errors(line: String, row: Int, column: Int, message: String) throws {
        let yaml = "scenario: s\nsites:\n  - id: a\n    areas:\n      - id: b\n        lines:\n          - id: c\n            machines:\n"
            + "              - { id: m, kind: press_brake, \(line) }\n"
        let error = try #require(throws: ModelErrors.self) { try ScenarioLoader.load(yaml: yaml, file: "s.yaml", kinds: kinds) }
        let first = try #require(error.errors.first)
        #expect(first.description.contains(message), "\(first)")
        #expect(first.location.line == row && first.location.column == column, "\(first)")
    }
}

extension Pose {
    /// As ``FloorLayout`` rounds poses.
    var roundedForTest: Pose {
        Pose(position: position.map { ($0 * 1000).rounded() / 1000 }, rotation: rotation.map { ($0 * 1e6).rounded() / 1e6 })
    }
}

extension FloorLayout.Item: CustomTestStringConvertible {
    public var testDescription: String { "\(path) at \(pose.position)" }
}
