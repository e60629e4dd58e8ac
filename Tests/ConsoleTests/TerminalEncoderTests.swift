import TwinModel
import Simulation
import Testing
import Console

@Suite("Encoding frames for the terminal")
struct TerminalEncoderTests {
    private static let characters: [Character] = ["a", "b", "Z", "0", " ", " ", " ", "°", "▁", "▇", "●", "é", "│", "─", "█"]
    private static let colors: [TextStyle.Color] = [
        .default, .black, .red, .green, .yellow, .blue, .magenta, .cyan, .white,
        .gray, .brightRed, .brightGreen, .brightYellow, .brightBlue, .brightMagenta, .brightCyan, .brightWhite,
    ]

    private static func randomStyle(_ random: inout RandomSource) -> TextStyle {
        guard Int.random(in: 0..<3, using: &random) > 0 else { return .plain }
        return TextStyle(foreground: colors.randomElement(using: &random)!, background: colors.randomElement(using: &random)!,
                         bold: .random(using: &random), dim: .random(using: &random),
                         inverse: .random(using: &random), underline: .random(using: &random))
    }

    private static func randomCell(_ random: inout RandomSource) -> Cell {
        Cell(characters.randomElement(using: &random)!, style: randomStyle(&random))
    }

    /// A frame of random cells, about `density` of them not blank.
    private static func randomFrame(width: Int, height: Int, density: Double, _ random: inout RandomSource) -> Frame {
        var frame = Frame(width: width, height: height)
        for row in 0..<height {
            for column in 0..<width where Double.random(in: 0..<1, using: &random) < density {
                frame[row, column] = randomCell(&random)
            }
        }
        return frame
    }

    /// `frame` with `count` random cells changed, some in runs along a row.
    private static func mutated(_ frame: Frame, count: Int, _ random: inout RandomSource) -> Frame {
        var frame = frame
        for _ in 0..<count {
            let row = Int.random(in: 0..<frame.height, using: &random)
            let column = Int.random(in: 0..<frame.width, using: &random)
            let cell = randomCell(&random)
            for offset in 0..<Int.random(in: 1...3, using: &random) { frame[row, column + offset] = cell }
        }
        return frame
    }

    /// `frame` with every colour taken out.
    private static func colorless(_ frame: Frame) -> Frame {
        var result = frame
        for row in 0..<frame.height {
            for column in 0..<frame.width {
                result[row, column].style.foreground = .default
                result[row, column].style.background = .default
            }
        }
        return result
    }

    /// Whether `screen` shows `frame` in every cell but the bottom-right one, which the encoder never writes.
    private static func shows(_ screen: Frame, _ frame: Frame) -> Bool {
        guard screen.width == frame.width, screen.height == frame.height else { return false }
        return zip(screen.cells, frame.cells).dropLast().allSatisfy { $0 == $1 }
    }

    @Test("Applying the update from a to b to a screen showing a shows b, for many random pairs")
    func roundTrip() {
        var random = RandomSource(seed: 2024)
        for trial in 0..<400 {
            let width = Int.random(in: 1...30, using: &random), height = Int.random(in: 1...8, using: &random)
            let a = Self.randomFrame(width: width, height: height, density: .random(in: 0...1, using: &random), &random)
            let b = switch trial % 4 {
            case 0: Self.randomFrame(width: width, height: height, density: .random(in: 0...1, using: &random), &random)
            default: Self.mutated(a, count: Int.random(in: 0...(width * height / 2), using: &random), &random)
            }
            var terminal = TerminalInterpreter(showing: a)
            terminal.apply(TerminalEncoder.update(from: a, to: b))
            #expect(terminal.errors.isEmpty, "trial \(trial): \(terminal.errors)")
            let showsB = Self.shows(terminal.screen, b)
            #expect(showsB, "trial \(trial)\nexpected:\n\(b.text)\nshown:\n\(terminal.screen.text)")
            #expect(terminal.screen[height - 1, width - 1] == a[height - 1, width - 1], "trial \(trial): bottom-right cell written")
        }
    }

    @Test("A first frame or a new size clears the screen and draws everything, whatever the screen showed")
    func fullRedraw() {
        var random = RandomSource(seed: 7)
        for trial in 0..<100 {
            let width = Int.random(in: 1...30, using: &random), height = Int.random(in: 1...8, using: &random)
            let garbage = Self.randomFrame(width: width, height: height, density: 1, &random)
            let frame = Self.randomFrame(width: width, height: height, density: .random(in: 0...1, using: &random), &random)
            let old: Frame? = trial.isMultiple(of: 2) ? nil : Self.randomFrame(width: width + 1, height: height, density: 0.5, &random)
            let bytes = TerminalEncoder.update(from: old, to: frame)
            #expect(bytes.starts(with: Array("\u{1b}[0m\u{1b}[H\u{1b}[2J".utf8)))
            #expect(bytes.suffix(4).elementsEqual("\u{1b}[0m".utf8))
            var terminal = TerminalInterpreter(showing: garbage)
            terminal.apply(bytes)
            #expect(terminal.errors.isEmpty, "trial \(trial): \(terminal.errors)")
            let showsFrame = Self.shows(terminal.screen, frame)
            #expect(showsFrame, "trial \(trial)")
        }
    }

    @Test("Identical frames give no bytes")
    func identical() {
        var random = RandomSource(seed: 3)
        let frame = Self.randomFrame(width: 20, height: 5, density: 0.7, &random)
        #expect(TerminalEncoder.update(from: frame, to: frame).isEmpty)
        #expect(TerminalEncoder.update(from: Frame(width: 3, height: 2), to: Frame(width: 3, height: 2)).isEmpty)
    }

    @Test("One changed cell gives one cursor move, that cell and a reset")
    func singleCell() {
        var random = RandomSource(seed: 11)
        let old = Self.randomFrame(width: 40, height: 10, density: 0.8, &random)
        var new = old
        new[3, 17] = Cell("●", style: TextStyle(foreground: .brightRed, bold: true))
        let bytes = TerminalEncoder.update(from: old, to: new)
        #expect(String(decoding: bytes, as: UTF8.self) == "\u{1b}[4;18H\u{1b}[0;1;91m●\u{1b}[0m")
        var terminal = TerminalInterpreter(showing: old)
        terminal.apply(bytes)
        #expect(terminal.cursorMoves == 1)
        #expect(terminal.written == ["●"])

        var plain = old
        plain[0, 0] = Cell("°")
        #expect(String(decoding: TerminalEncoder.update(from: old, to: plain), as: UTF8.self) == "\u{1b}[1;1H°\u{1b}[0m",
                "no SGR for a plain cell: the terminal is plain after every update")
    }

    @Test("Runs of a row closer than five cells are written as one; farther ones get their own cursor move")
    func mergingRuns() {
        let old = Frame(width: 20, height: 3)
        var near = old
        near.put("x", row: 1, column: 2)
        near.put("y", row: 1, column: 7)
        var terminal = TerminalInterpreter(showing: old)
        terminal.apply(TerminalEncoder.update(from: old, to: near))
        #expect(terminal.cursorMoves == 1)
        #expect(terminal.written == Array("x    y"))

        var far = old
        far.put("x", row: 1, column: 2)
        far.put("y", row: 1, column: 8)
        terminal = TerminalInterpreter(showing: old)
        terminal.apply(TerminalEncoder.update(from: old, to: far))
        #expect(terminal.cursorMoves == 2)
        #expect(terminal.written == ["x", "y"])

        var rows = old
        rows.put("x", row: 0, column: 19)
        rows.put("y", row: 1, column: 0)
        terminal = TerminalInterpreter(showing: old)
        terminal.apply(TerminalEncoder.update(from: old, to: rows))
        #expect(terminal.cursorMoves == 2, "runs never continue onto the next row")
    }

    @Test("SGR is sent only when the style changes")
    func styleChanges() {
        let red = TextStyle(foreground: .red)
        var frame = Frame(width: 20, height: 2)
        frame.put("aaaa", row: 0, column: 0, style: red)
        frame.put("bbbb", row: 0, column: 4, style: red.emphasized)
        frame.put("cccc", row: 1, column: 0, style: red.emphasized)
        frame.put("dd", row: 1, column: 4)
        let text = String(decoding: TerminalEncoder.update(from: nil, to: frame), as: UTF8.self)
        #expect(text == "\u{1b}[0m\u{1b}[H\u{1b}[2J\u{1b}[1;1H\u{1b}[0;31maaaa\u{1b}[0;1;31mbbbb"
            + "\u{1b}[2;1Hcccc\u{1b}[0mdd\u{1b}[0m")
    }

    @Test("Every attribute and colour has its SGR code")
    func codes() {
        var frame = Frame(width: 40, height: 2)
        for (column, color) in Self.colors.enumerated() {
            frame[0, column] = Cell("f", style: TextStyle(foreground: color))
            frame[1, column] = Cell("b", style: TextStyle(background: color))
        }
        frame[0, 20] = Cell("x", style: TextStyle(bold: true, dim: true, inverse: true, underline: true))
        var terminal = TerminalInterpreter(showing: Frame(width: 40, height: 2))
        terminal.apply(TerminalEncoder.update(from: nil, to: frame))
        #expect(terminal.errors.isEmpty)
        let showsFrame = Self.shows(terminal.screen, frame)
        #expect(showsFrame)
        #expect(Set(terminal.parameters) == Set([0, 1, 2, 4, 7] + Array(30...37) + Array(40...47) + Array(90...97) + Array(100...107)))
    }

    @Test("With colors: false no colour is sent, but bold, dim, underline and inverse are")
    func noColor() {
        var random = RandomSource(seed: 99)
        for trial in 0..<100 {
            let a = Self.randomFrame(width: 25, height: 6, density: 0.8, &random)
            let b = Self.mutated(a, count: 10, &random)
            var terminal = TerminalInterpreter(showing: Frame(width: 25, height: 6))
            terminal.apply(TerminalEncoder.update(from: nil, to: a, colors: false))
            terminal.apply(TerminalEncoder.update(from: a, to: b, colors: false))
            #expect(terminal.errors.isEmpty)
            let showsB = Self.shows(terminal.screen, Self.colorless(b))
            #expect(showsB, "trial \(trial)")
            #expect(terminal.parameters.allSatisfy { [0, 1, 2, 4, 7].contains($0) }, "trial \(trial)")
        }
        let plain = Frame(width: 4, height: 2)
        var recolored = plain
        recolored.restyle(row: 0, column: 0, count: 4, style: TextStyle(foreground: .green, background: .blue))
        #expect(TerminalEncoder.update(from: plain, to: recolored, colors: false).isEmpty, "a change of colour alone is no change")
    }

    @Test("The bottom-right cell is never written, even when it alone changes")
    func bottomRight() {
        let old = Frame(width: 5, height: 3)
        var new = old
        new[2, 4] = Cell("x")
        #expect(TerminalEncoder.update(from: old, to: new).isEmpty)
        new[2, 3] = Cell("y")
        var terminal = TerminalInterpreter(showing: old)
        terminal.apply(TerminalEncoder.update(from: old, to: new))
        #expect(terminal.errors.isEmpty)
        #expect(terminal.written == ["y"])
    }

    @Test("Control characters in a cell are written as '?', never sent to the terminal")
    func controlCharacters() {
        var frame = Frame(width: 6, height: 2)
        frame[0, 0] = Cell("\u{1b}")
        frame[0, 1] = Cell("\u{7}")
        frame[0, 2] = Cell("\u{9b}")
        frame[0, 3] = Cell("\r\n")
        var terminal = TerminalInterpreter(showing: frame)
        terminal.apply(TerminalEncoder.update(from: nil, to: frame))
        #expect(terminal.errors.isEmpty)
        #expect(terminal.screen.lines.first == "????")
    }

    @Test("Zero-sized frames only clear the screen")
    func empty() {
        #expect(TerminalEncoder.update(from: nil, to: Frame(width: 0, height: 0))
            == Array("\u{1b}[0m\u{1b}[H\u{1b}[2J\u{1b}[0m".utf8))
    }
}

/// A tiny terminal: applies cursor moves (CSI H), clearing (CSI 2J), SGR (CSI m) and printable characters to
/// a frame, and notes anything else, or any write outside the screen or to its bottom-right cell, as an error.
struct TerminalInterpreter {
    private(set) var screen: Frame
    private(set) var errors: [String] = []
    /// How many cursor moves were applied.
    private(set) var cursorMoves = 0
    /// The characters written, in order.
    private(set) var written: [Character] = []
    /// The SGR parameters received, in order.
    private(set) var parameters: [Int] = []
    private var row = 0, column = 0
    private var style = TextStyle.plain

    init(showing frame: Frame) {
        screen = frame
    }

    mutating func apply(_ bytes: [UInt8]) {
        let scalars = Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            if scalar == "\u{1b}" {
                guard index < scalars.count, scalars[index] == "[" else { errors.append("ESC without ["); continue }
                var body = ""
                index += 1
                while index < scalars.count, !(0x40...0x7e).contains(scalars[index].value) {
                    body.unicodeScalars.append(scalars[index])
                    index += 1
                }
                guard index < scalars.count else { errors.append("unterminated sequence"); break }
                control(body, final: scalars[index])
                index += 1
            } else if scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value) {
                errors.append("control character \(scalar.value)")
            } else {
                write(Character(scalar))
            }
        }
    }

    private mutating func write(_ character: Character) {
        guard row < screen.height, column < screen.width else {
            errors.append("write outside the screen at \(row), \(column)")
            return
        }
        if row == screen.height - 1, column == screen.width - 1 { errors.append("write to the bottom-right cell") }
        screen[row, column] = Cell(character, style: style)
        written.append(character)
        column += 1
    }

    private mutating func control(_ body: String, final: Unicode.Scalar) {
        let numbers = body.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) }
        switch final {
        case "H":
            cursorMoves += 1
            row = ((numbers.first ?? 1) ?? 1) - 1
            column = (numbers.count > 1 ? numbers[1] ?? 1 : 1) - 1
        case "J" where body == "2":
            screen = Frame(width: screen.width, height: screen.height)
        case "m":
            for number in numbers { select(number ?? 0) }
        default:
            errors.append("unexpected sequence \(body)\(final)")
        }
    }

    private mutating func select(_ code: Int) {
        parameters.append(code)
        let colors: [TextStyle.Color] = [.black, .red, .green, .yellow, .blue, .magenta, .cyan, .white,
                                         .gray, .brightRed, .brightGreen, .brightYellow, .brightBlue, .brightMagenta,
                                         .brightCyan, .brightWhite]
        switch code {
        case 0: style = .plain
        case 1: style.bold = true
        case 2: style.dim = true
        case 4: style.underline = true
        case 7: style.inverse = true
        case 30...37: style.foreground = colors[code - 30]
        case 40...47: style.background = colors[code - 40]
        case 90...97: style.foreground = colors[code - 82]
        case 100...107: style.background = colors[code - 92]
        default: errors.append("unexpected SGR \(code)")
        }
    }
}
