/// Turns frames into the bytes a VT100-style terminal needs to show them, sending only what changed.
public enum TerminalEncoder {
    /// Two runs of changed cells in a row whose gap is at most this many cells are written as one: a cursor
    /// move costs about as many bytes as the cells it would skip.
    static let mergeableGap = 4

    /// The bytes that turn a terminal showing `old` into one showing `new`.
    ///
    /// With `old == nil` or a different size: clear the screen (ESC[2J after ESC[H and SGR reset) and draw
    /// everything that is not blank. Otherwise rewrite only the runs of changed cells per row (cursor move
    /// ESC[row;colH, 1-based, then the cells), merging two runs of a row when the gap between them is small
    /// (≤ 4 cells) because a cursor move costs about as much.
    ///
    /// SGR is emitted only when the style changes from the previous cell written, and the output ends with
    /// SGR reset (ESC[0m), which the next update relies on. The bottom-right cell is never written (writing
    /// there makes many terminals scroll). Characters that are control codes are written as "?" so that
    /// text from the outside cannot send escape sequences to the terminal. Identical frames give an empty
    /// array.
    ///
    /// - Parameters:
    ///   - old: What the terminal shows now, nil if unknown.
    ///   - new: What it should show.
    ///   - colors: False to leave colours out but keep bold, dim, underline and inverse (NO_COLOR). Cells
    ///     that differ only in colour then count as unchanged.
    public static func update(from old: Frame?, to new: Frame, colors: Bool = true) -> [UInt8] {
        var output = Output(colors: colors)
        let shown: Frame
        if let old, old.width == new.width, old.height == new.height {
            guard old != new else { return [] }
            shown = old
        } else {
            output.append(Output.reset)
            output.append("\u{1b}[H\u{1b}[2J")
            shown = Frame(width: new.width, height: new.height)  // what a cleared screen shows
        }
        for row in 0..<new.height {
            for run in changedRuns(row: row, from: shown, to: new, colors: colors) {
                output.moveCursor(row: row, column: run.lowerBound)
                for column in run { output.write(new[row, column]) }
            }
        }
        return output.finished()
    }

    /// The columns of `row` to rewrite, as runs merged across small gaps, leaving out the bottom-right cell.
    private static func changedRuns(row: Int, from old: Frame, to new: Frame, colors: Bool) -> [ClosedRange<Int>] {
        let width = row == new.height - 1 ? new.width - 1 : new.width
        var runs: [ClosedRange<Int>] = []
        for column in 0..<max(0, width) {
            let before = old[row, column], after = new[row, column]
            guard before.character != after.character
                || Output.shown(before.style, colors: colors) != Output.shown(after.style, colors: colors)
            else { continue }
            if let last = runs.last, column - last.upperBound - 1 <= mergeableGap {
                runs[runs.count - 1] = last.lowerBound...column
            } else {
                runs.append(column...column)
            }
        }
        return runs
    }
}

extension TerminalEncoder {
    /// The bytes of one update, and the style the terminal is drawing in after them.
    private struct Output {
        static let reset = "\u{1b}[0m"

        let colors: Bool
        private(set) var bytes: [UInt8] = []
        /// Each update ends with a reset, so the terminal starts the next one in the plain style.
        private var style = TextStyle.plain

        init(colors: Bool) {
            self.colors = colors
        }

        /// The part of `style` that is sent: all of it, or all but the colours.
        static func shown(_ style: TextStyle, colors: Bool) -> TextStyle {
            guard !colors else { return style }
            var plain = style
            plain.foreground = .default
            plain.background = .default
            return plain
        }

        mutating func append(_ text: String) {
            bytes.append(contentsOf: text.utf8)
        }

        /// Moves the cursor to `row`, `column` (0-based).
        mutating func moveCursor(row: Int, column: Int) {
            append("\u{1b}[\(row + 1);\(column + 1)H")
        }

        /// Writes one cell, with an SGR first if its style differs from the one the terminal draws in.
        mutating func write(_ cell: Cell) {
            let wanted = Self.shown(cell.style, colors: colors)
            if wanted != style {
                append(Self.selectGraphicRendition(wanted))
                style = wanted
            }
            let isControl = cell.character.unicodeScalars.contains { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) }
            if isControl {
                bytes.append(UInt8(ascii: "?"))
            } else {
                bytes.append(contentsOf: cell.character.utf8)
            }
        }

        /// The bytes, ending with a reset; none if nothing was written.
        func finished() -> [UInt8] {
            bytes.isEmpty ? [] : bytes + Self.reset.utf8
        }

        /// The SGR sequence that sets `style` from scratch: a reset, then each attribute and colour.
        static func selectGraphicRendition(_ style: TextStyle) -> String {
            var codes = [0]
            if style.bold { codes.append(1) }
            if style.dim { codes.append(2) }
            if style.underline { codes.append(4) }
            if style.inverse { codes.append(7) }
            if let code = colorCode(style.foreground) { codes.append(code) }
            if let code = colorCode(style.background) { codes.append(code + 10) }
            return "\u{1b}[" + codes.map(String.init).joined(separator: ";") + "m"
        }

        /// The foreground SGR code of `color` (30–37, 90–97), nil for the terminal's default.
        private static func colorCode(_ color: TextStyle.Color) -> Int? {
            switch color {
            case .default: nil
            case .black: 30
            case .red: 31
            case .green: 32
            case .yellow: 33
            case .blue: 34
            case .magenta: 35
            case .cyan: 36
            case .white: 37
            case .gray: 90
            case .brightRed: 91
            case .brightGreen: 92
            case .brightYellow: 93
            case .brightBlue: 94
            case .brightMagenta: 95
            case .brightCyan: 96
            case .brightWhite: 97
            }
        }
    }
}
