import Foundation

/// Where a machine is: the levels of its topic under the root. Sorted by site, area, line and name.
public struct MachineAddress: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var site: String
    public var area: String
    public var line: String
    public var machine: String

    public init(site: String, area: String, line: String, machine: String) {
        self.site = site
        self.area = area
        self.line = line
        self.machine = machine
    }

    /// The machine's equipment path under `root`, for the ``TopicMap``.
    public func path(root: String) -> EquipmentPath {
        EquipmentPath(enterprise: root, site: site, area: area, line: line, machine: machine)
    }

    public static func < (lhs: MachineAddress, rhs: MachineAddress) -> Bool {
        (lhs.site, lhs.area, lhs.line, lhs.machine) < (rhs.site, rhs.area, rhs.line, rhs.machine)
    }

    public var description: String { "\(site)/\(area)/\(line)/\(machine)" }
}
