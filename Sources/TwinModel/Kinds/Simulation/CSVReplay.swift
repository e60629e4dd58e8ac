import Foundation

/// Loads the values a `replay:` signal plays back: one numeric column of a CSV file with a header row.
enum CSVReplay {
    static func load(_ node: YAMLNode) throws(ModelError) -> SignalSpec.Replay {
        let map = try node.mapping("replay")
        try map.checkKeys(["file", "column"])
        let fileNode = try map.required("file")
        let relative = try fileNode.string("file")
        let path = relative.hasPrefix("/") ? relative
            : ((node.file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(relative)
        guard let text = try? YAMLFiles.text(of: path) else {
            throw fileNode.error("cannot read the replay file '\(path)'")
        }
        let columnNode = try map.required("column")
        let column = try columnNode.string("column")
        let lines = text.split(whereSeparator: \.isNewline).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        guard let header = lines.first else { throw fileNode.error("the replay file '\(relative)' is empty") }
        let names = header.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let index = names.firstIndex(of: column) else {
            throw columnNode.error("the replay file '\(relative)' has no column '\(column)' (it has \(names.joined(separator: ", ")))")
        }
        var values: [Double] = []
        for (offset, line) in lines.dropFirst().enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard index < fields.count, let value = Double(fields[index].trimmingCharacters(in: .whitespaces)), value.isFinite else {
                throw fileNode.error("the replay file '\(relative)' line \(offset + 2): column '\(column)' is not a finite number")
            }
            values.append(value)
        }
        guard !values.isEmpty else { throw fileNode.error("the replay file '\(relative)' has no rows") }
        return .init(values: values, path: relative, column: column)
    }
}
