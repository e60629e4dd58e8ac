/// One character cell of the screen.
public struct Cell: Hashable, Sendable {
    public var character: Character
    public var style: TextStyle

    public init(_ character: Character, style: TextStyle = .plain) {
        self.character = character
        self.style = style
    }

    /// A blank cell.
    public static let blank = Cell(" ")
}

/// A screenful of cells: what the renderer draws and the terminal encoder sends. Pure and comparable, so
/// the console redraws only the cells that changed and tests compare frames as text.
///
/// Every `Character` takes one column; text is clipped, never wrapped.
public struct Frame: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// The cells, row after row.
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(row: Int, column: Int) -> Cell {
        get { cells[row * width + column] }
        set {
            guard row >= 0, row < height, column >= 0, column < width else { return }
            cells[row * width + column] = newValue
        }
    }

    /// The cells of one row.
    public func row(_ row: Int) -> ArraySlice<Cell> {
        cells[(row * width)..<((row + 1) * width)]
    }

    /// Writes `text` at `row`, `column`, clipped to `maxWidth` columns and to the frame. Returns the
    /// number of columns written.
    @discardableResult
    public mutating func put(_ text: String, row: Int, column: Int, style: TextStyle = .plain, maxWidth: Int? = nil) -> Int {
        guard row >= 0, row < height, column < width else { return 0 }
        let limit = min(maxWidth ?? width, width - column)
        var written = 0
        for character in text {
            guard written < limit else { break }
            let target = column + written
            if target >= 0 {
                cells[row * width + target] = Cell(character.isNewline ? " " : character, style: style)
            }
            written += 1
        }
        return max(0, written)
    }

    /// Fills `count` cells of `row` from `column` with `character` in `style`.
    public mutating func fill(row: Int, column: Int, count: Int, with character: Character = " ", style: TextStyle = .plain) {
        guard row >= 0, row < height else { return }
        let start = max(0, column), end = min(width, column + count)
        guard start < end else { return }
        for index in start..<end { cells[row * width + index] = Cell(character, style: style) }
    }

    /// Sets the style of `count` cells of `row` from `column`, keeping their characters.
    public mutating func restyle(row: Int, column: Int, count: Int, style: TextStyle) {
        guard row >= 0, row < height else { return }
        let start = max(0, column), end = min(width, column + count)
        guard start < end else { return }
        for index in start..<end { cells[row * width + index].style = style }
    }

    /// The characters of each row, trailing blanks removed: what a snapshot test compares.
    public var lines: [String] {
        (0..<height).map { row in
            var line = String(self.row(row).map(\.character))
            while line.last == " " { line.removeLast() }
            return line
        }
    }

    /// The rows joined by newlines.
    public var text: String { lines.joined(separator: "\n") }
}
