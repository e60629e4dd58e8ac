/// Where something stands in the plant, below the topic root: a site, an area of a site, a line of an area, or a
/// machine on a line (the ISA-95 levels under the enterprise). The one location type of TwinHub: topics, twins,
/// rules, aggregates and every screen use it.
///
/// A machine's path has all four levels; its ``prefixes`` are the site, area and line it belongs to. Paths sort by
/// site, area, line and machine, a prefix before what it contains.
public struct PlantPath: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The depth of a path.
    public enum Level: Int, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
        case site, area, line, machine

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

        public var description: String {
            switch self {
            case .site: "site"
            case .area: "area"
            case .line: "line"
            case .machine: "machine"
            }
        }
    }

    public let site: String
    public let area: String?
    public let line: String?
    public let machine: String?

    /// A site.
    public init(site: String) {
        self.site = site
        area = nil
        line = nil
        machine = nil
    }

    /// An area of a site.
    public init(site: String, area: String) {
        self.site = site
        self.area = area
        line = nil
        machine = nil
    }

    /// A line of an area.
    public init(site: String, area: String, line: String) {
        self.site = site
        self.area = area
        self.line = line
        machine = nil
    }

    /// A machine on a line.
    public init(site: String, area: String, line: String, machine: String) {
        self.site = site
        self.area = area
        self.line = line
        self.machine = machine
    }

    /// The path of `levels` (one to four names, site first); `nil` for any other count or an empty name.
    public init?(levels: some Collection<some StringProtocol>) {
        guard (1...4).contains(levels.count), !levels.contains(where: \.isEmpty) else { return nil }
        let names = levels.map { String($0) }
        switch names.count {
        case 1: self.init(site: names[0])
        case 2: self.init(site: names[0], area: names[1])
        case 3: self.init(site: names[0], area: names[1], line: names[2])
        default: self.init(site: names[0], area: names[1], line: names[2], machine: names[3])
        }
    }

    /// The path written as ``description`` (`site/area/line/machine`, or a prefix of it); `nil` if it is not one.
    public init?(_ text: String) {
        self.init(levels: text.split(separator: "/", omittingEmptySubsequences: false))
    }

    /// How deep the path goes.
    public var level: Level {
        if machine != nil { return .machine }
        if line != nil { return .line }
        if area != nil { return .area }
        return .site
    }

    /// Whether the path names a machine.
    public var isMachine: Bool { machine != nil }

    /// The names of its levels, site first.
    public var levelNames: [String] { [site, area, line, machine].compactMap { $0 } }

    /// The name of the last level: the machine's id for a machine, the line's for a line, and so on.
    public var name: String { machine ?? line ?? area ?? site }

    /// The names of the levels, site first.
    public var levels: [String] { [site, area, line, machine].compactMap { $0 } }

    /// The path one level up; `nil` for a site.
    public var parent: PlantPath? {
        switch level {
        case .site: nil
        case .area: PlantPath(site: site)
        case .line: PlantPath(site: site, area: area!)
        case .machine: PlantPath(site: site, area: area!, line: line!)
        }
    }

    /// The paths above this one, site first: a machine's site, area and line.
    public var prefixes: [PlantPath] {
        switch level {
        case .site: []
        case .area: [PlantPath(site: site)]
        case .line: [PlantPath(site: site), PlantPath(site: site, area: area!)]
        case .machine: [PlantPath(site: site), PlantPath(site: site, area: area!), PlantPath(site: site, area: area!, line: line!)]
        }
    }

    /// The line of a machine, or the line itself; `nil` above line level.
    public var linePath: PlantPath? {
        guard let area, let line else { return nil }
        return PlantPath(site: site, area: area, line: line)
    }

    /// Whether `other` is this path or lies below it.
    public func contains(_ other: PlantPath) -> Bool {
        other.site == site && (area == nil || other.area == area) && (line == nil || other.line == line)
            && (machine == nil || other.machine == machine)
    }

    public static func < (lhs: PlantPath, rhs: PlantPath) -> Bool {
        if let left = lhs.machine, let right = rhs.machine {
            return (lhs.site, lhs.area!, lhs.line!, left) < (rhs.site, rhs.area!, rhs.line!, right)
        }
        // A prefix comes before what it contains.
        return lhs.levels.lexicographicallyPrecedes(rhs.levels)
    }

    /// `site/area/line/machine`, or the prefix of it the path has. Built without an array of levels: every topic
    /// the service publishes is made from it.
    public var description: String {
        var text = site
        if let area { text += "/" + area }
        if let line { text += "/" + line }
        if let machine { text += "/" + machine }
        return text
    }
}
