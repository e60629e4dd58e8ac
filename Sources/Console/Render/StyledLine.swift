/// A line of text in parts, each with its style: what the detail panes are made of before they are clipped
/// to a region.
public struct StyledLine: Sendable, Equatable {
    public var parts: [(text: String, style: TextStyle)]

    public init(_ parts: [(text: String, style: TextStyle)] = []) {
        self.parts = parts
    }

    public init(_ text: String, style: TextStyle = .plain) {
        parts = [(text, style)]
    }

    /// Appends a part.
    public mutating func append(_ text: String, style: TextStyle = .plain) {
        parts.append((text, style))
    }

    public var text: String { parts.map(\.text).joined() }

    public static func == (lhs: StyledLine, rhs: StyledLine) -> Bool {
        lhs.parts.map(\.text) == rhs.parts.map(\.text) && lhs.parts.map(\.style) == rhs.parts.map(\.style)
    }

    /// Lines of `text` wrapped to `width`, all in `style`, the first after `prefix`.
    static func wrapped(_ text: String, width: Int, style: TextStyle = .plain, prefix: String = "") -> [StyledLine] {
        DisplayFormat.wrap(prefix + text, width: width).map { StyledLine($0, style: style) }
    }
}

extension Frame {
    /// Draws `lines` into `region`, one per row, clipped; returns the rows used.
    @discardableResult
    mutating func draw(_ lines: [StyledLine], in region: Region) -> Int {
        for (offset, line) in lines.prefix(region.height).enumerated() {
            var column = region.column
            for part in line.parts {
                let room = region.column + region.width - column
                guard room > 0 else { break }
                column += put(part.text, row: region.row + offset, column: column, style: part.style, maxWidth: room)
            }
        }
        return min(lines.count, region.height)
    }
}
