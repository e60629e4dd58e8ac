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
                cells[row * width + target] = Cell(Self.singleColumn(character), style: style)
            }
            written += 1
        }
        return max(0, written)
    }

    /// `character` if a terminal draws it in exactly one column; otherwise `?` (wide CJK and emoji, zero-width
    /// and format characters such as U+200B or bidi overrides) so that no text from MQTT can shift a row.
    static func singleColumn(_ character: Character) -> Character {
        if character.isNewline { return " " }
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return "?" }
        if first.isASCII && scalars.count == 1 { return character }
        switch first.properties.generalCategory {
        case .format, .nonspacingMark, .enclosingMark, .control, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned:
            return "?"
        default:
            break
        }
        if first.properties.isEmojiPresentation || scalars.contains(where: { $0.value == 0xFE0F }) { return "?" }
        switch first.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1FAFF,
             0x20000...0x3FFFD:
            return "?"
        default:
            return character
        }
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
