import Foundation

/// Where every site, area, line and machine of a plant stands: the poses a scenario declares, and for everything
/// else a deterministic automatic layout, so any set of machines has a floor. Pure.
///
/// Automatic layout: a line's machines stand in a row along the line's X axis (a near-square grid beyond
/// ``rowLimit`` machines), the lines of an area one behind the other along Z, the areas of a site side by side
/// along X, and the sites likewise. A declared pose is relative to what contains it and replaces the automatic one.
public struct FloorLayout: Sendable {
    /// One site, area, line or machine on the floor.
    public struct Item: Sendable, Hashable {
        public var path: PlantPath
        /// A machine's kind (nil for a site, area or line).
        public var kind: String?
        /// Where the item's centre stands on the floor, and which way it faces (world coordinates).
        public var pose: Pose
        /// Where its origin stands relative to what contains it (for a machine, its centre): the transform of its
        /// node in a scene graph.
        public var local: Pose
        /// Its floor space: a machine's own, or the space a site, area or line takes with what it contains.
        public var footprint: Footprint
        /// The glTF node name a 3D client maps to its model: the one the scenario gives; else, for a machine, its
        /// kind, and for a site, area or line, its path.
        public var asset: String
        /// Whether the pose was laid out automatically rather than declared.
        public var automatic: Bool
    }

    /// Machines in a line's row before the line becomes a grid.
    public static let rowLimit = 12
    /// Metres between two machines side by side, and between two rows.
    static let machineGap = 1.5, rowGap = 2.0
    /// Metres between two lines of an area (an aisle), two areas of a site, two sites.
    static let lineGap = 3.0, areaGap = 6.0, siteGap = 20.0

    /// Every item, by path.
    public private(set) var items: [PlantPath: Item] = [:]
    /// The machines, in the order given.
    public private(set) var machines: [Item] = []

    /// The layout of `machines` (path and kind, in the order they are to stand), with what `declared` says of any of
    /// them or of their sites, areas and lines.
    public init(machines list: [(path: PlantPath, kind: String?)], declared: [PlantPath: Placement] = [:]) {
        var tree = Tree()
        for machine in list where machine.path.level == .machine { tree.add(machine.path, kind: machine.kind) }
        var arranged = Arranged()
        var siteCursor = 0.0
        for site in tree.sites {
            let box = arrangeGroup(site, declared: declared, into: &arranged)
            place(site.path, box: box, automatic: Pose(x: siteCursor - box.minX, y: 0, z: -box.minZ), cursor: &siteCursor,
                  gap: Self.siteGap, declared: declared, into: &arranged)
        }
        // World poses, parents first.
        var origins: [PlantPath: Pose] = [:]
        for path in arranged.order {
            guard let entry = arranged.local[path] else { continue }
            let origin = entry.local.placed(in: path.parent.flatMap { origins[$0] } ?? .identity)
            origins[path] = origin
            let centre = Pose(x: entry.centre.x, y: 0, z: entry.centre.z).placed(in: origin)
            items[path] = Item(path: path, kind: entry.kind, pose: Self.rounded(centre), local: Self.rounded(entry.local),
                               footprint: entry.footprint, asset: declared[path]?.asset ?? entry.kind ?? path.description,
                               automatic: declared[path]?.pose == nil)
        }
        machines = list.compactMap { items[$0.path] }
    }

    // MARK: Arrangement

    /// Machines grouped by site, area and line, in order of first appearance.
    private struct Tree {
        final class Group {
            let path: PlantPath
            var children: [Group] = []
            var kind: String?
            init(path: PlantPath, kind: String? = nil) {
                self.path = path
                self.kind = kind
            }
        }

        var sites: [Group] = []
        private var groups: [PlantPath: Group] = [:]

        mutating func add(_ machine: PlantPath, kind: String?) {
            guard groups[machine] == nil else { return }
            var parent: Group?
            for prefix in machine.prefixes + [machine] {
                if let group = groups[prefix] {
                    parent = group
                    continue
                }
                let group = Group(path: prefix, kind: prefix == machine ? kind : nil)
                groups[prefix] = group
                if let parent { parent.children.append(group) } else { sites.append(group) }
                parent = group
            }
        }
    }

    /// An item's extent in its own frame.
    private struct Box {
        var minX = 0.0, maxX = 0.0, minZ = 0.0, maxZ = 0.0
        var width: Double { maxX - minX }
        var depth: Double { maxZ - minZ }

        init(minX: Double, maxX: Double, minZ: Double, maxZ: Double) {
            (self.minX, self.maxX, self.minZ, self.maxZ) = (minX, maxX, minZ, maxZ)
        }

        /// The box of `footprint` centred on the origin.
        init(centred footprint: Footprint) {
            self.init(minX: -footprint.width / 2, maxX: footprint.width / 2, minZ: -footprint.depth / 2, maxZ: footprint.depth / 2)
        }

        /// This box, moved by `pose` (rotation left out: boxes only space things apart).
        func moved(by pose: Pose) -> Box {
            Box(minX: minX + pose.position[0], maxX: maxX + pose.position[0], minZ: minZ + pose.position[2], maxZ: maxZ + pose.position[2])
        }

        mutating func formUnion(_ other: Box?) {
            guard let other else { return }
            (minX, maxX, minZ, maxZ) = (min(minX, other.minX), max(maxX, other.maxX), min(minZ, other.minZ), max(maxZ, other.maxZ))
        }
    }

    private struct Arranged {
        var local: [PlantPath: (local: Pose, centre: (x: Double, z: Double), footprint: Footprint, kind: String?)] = [:]
        var order: [PlantPath] = []
    }

    /// Lays out what `group` contains in its own frame; returns its extent there.
    private func arrangeGroup(_ group: Tree.Group, declared: [PlantPath: Placement], into arranged: inout Arranged) -> Box {
        if group.path.level == .line { return arrangeLine(group, declared: declared, into: &arranged) }
        var box: Box?
        var cursor = 0.0
        for child in group.children {
            let childBox = arrangeGroup(child, declared: declared, into: &arranged)
            // Areas of a site side by side along X; lines of an area one behind the other along Z.
            let automatic = group.path.level == .site
                ? Pose(x: cursor - childBox.minX, y: 0, z: -childBox.minZ)
                : Pose(x: -childBox.minX, y: 0, z: cursor - childBox.minZ)
            let gap = group.path.level == .site ? Self.areaGap : Self.lineGap
            var along = cursor
            let pose = place(child.path, box: childBox, automatic: automatic, cursor: &along, gap: gap, declared: declared,
                             into: &arranged, alongZ: group.path.level == .area)
            cursor = along
            if box == nil { box = childBox.moved(by: pose) } else { box!.formUnion(childBox.moved(by: pose)) }
        }
        return box ?? Box(centred: Footprint(width: 0, depth: 0))
    }

    /// Lays out a line's machines in its own frame; returns its extent there.
    private func arrangeLine(_ line: Tree.Group, declared: [PlantPath: Placement], into arranged: inout Arranged) -> Box {
        let machines = line.children
        let footprints = machines.map { declared[$0.path]?.footprint ?? .machine }
        let columns = machines.count <= Self.rowLimit ? max(machines.count, 1) : Int(Double(machines.count).squareRoot().rounded(.up))
        let pitchX = (footprints.map(\.width).max() ?? 0) + Self.machineGap
        let pitchZ = (footprints.map(\.depth).max() ?? 0) + Self.rowGap
        var box: Box?
        for (index, machine) in machines.enumerated() {
            let automatic = Pose(x: pitchX / 2 + Double(index % columns) * pitchX, y: 0, z: pitchZ / 2 + Double(index / columns) * pitchZ)
            let pose = declared[machine.path]?.pose ?? automatic
            arranged.local[machine.path] = (pose, (0, 0), footprints[index], machine.kind)
            arranged.order.append(machine.path)
            let machineBox = Box(centred: footprints[index]).moved(by: pose)
            if box == nil { box = machineBox } else { box!.formUnion(machineBox) }
        }
        return box ?? Box(centred: Footprint(width: 0, depth: 0))
    }

    /// Records where a site, area or line stands: declared, else `automatic` at `cursor`, which moves past it.
    @discardableResult
    private func place(_ path: PlantPath, box: Box, automatic: Pose, cursor: inout Double, gap: Double,
                       declared: [PlantPath: Placement], into arranged: inout Arranged, alongZ: Bool = false) -> Pose {
        let pose = declared[path]?.pose ?? automatic
        let footprint = declared[path]?.footprint ?? Footprint(width: box.width, depth: box.depth)
        let centre = (x: (box.minX + box.maxX) / 2, z: (box.minZ + box.maxZ) / 2)
        arranged.local[path] = (pose, centre, footprint, nil)
        // Parents before children: the group goes before the machines already listed.
        let firstChild = arranged.order.firstIndex { path.contains($0) } ?? arranged.order.endIndex
        arranged.order.insert(path, at: firstChild)
        if declared[path]?.pose == nil { cursor += (alongZ ? box.depth : box.width) + gap }
        return pose
    }

    /// Millimetres are enough, and spare clients figures such as 0.30000000000000004.
    private static func rounded(_ pose: Pose) -> Pose {
        Pose(position: pose.position.map { ($0 * 1000).rounded() / 1000 },
             rotation: pose.rotation.map { ($0 * 1e6).rounded() / 1e6 })
    }
}
