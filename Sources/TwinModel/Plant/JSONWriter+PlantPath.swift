extension JSONWriter {
    /// Writes the levels `path` has as fields `site`, `area`, `line` and `machine`: the one spelling of a place in
    /// every payload that names one.
    public mutating func fields(of path: PlantPath) {
        field("site", string: path.site)
        if let area = path.area { field("area", string: area) }
        if let line = path.line { field("line", string: line) }
        if let machine = path.machine { field("machine", string: machine) }
    }
}

extension JSONFields {
    /// The place named by the fields `site`, `area`, `line` and `machine` (as ``JSONWriter/fields(of:)`` writes them).
    /// - Throws: ``PayloadError`` when `site` is missing, a level is not a non-empty string, or a level is given
    ///   without the one above it.
    public func path() throws(PayloadError) -> PlantPath {
        let levels = [try string("site"), try optionalString("area"), try optionalString("line"), try optionalString("machine")]
        let given = levels.prefix { $0 != nil }.compactMap { $0 }
        guard given.count == levels.compactMap({ $0 }).count else {
            throw PayloadError(.invalidValue, "\"site\", \"area\", \"line\" and \"machine\" must each come with the levels above it")
        }
        guard let path = PlantPath(levels: given) else { throw PayloadError(.invalidValue, "a level of the place is empty") }
        return path
    }
}
