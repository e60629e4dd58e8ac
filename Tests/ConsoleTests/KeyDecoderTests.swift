import TwinModel
import Simulation
import Testing
import Console

@Suite("Decoding terminal input into keys")
struct KeyDecoderTests {
    /// The keys `text`'s bytes decode to in one feed, followed by a flush.
    private func keys(_ text: String) -> [Key] {
        keys(Array(text.utf8))
    }

    private func keys(_ bytes: [UInt8]) -> [Key] {
        var decoder = KeyDecoder()
        return decoder.feed(bytes) + decoder.flush()
    }

    /// The keys `bytes` decode to when fed in pieces cut at `cuts`.
    private func keys(_ bytes: [UInt8], cutAt cuts: [Int]) -> [Key] {
        var decoder = KeyDecoder()
        var decoded: [Key] = []
        var start = 0
        for cut in cuts + [bytes.count] {
            decoded += decoder.feed(Array(bytes[start..<cut]))
            start = cut
        }
        return decoded + decoder.flush()
    }

    private func characters(_ text: String) -> [Key] {
        text.map(Key.character)
    }

    @Test("Printable ASCII and UTF-8 of every length are characters")
    func printable() {
        #expect(keys("aZ 9~") == characters("aZ 9~"))
        #expect(keys("é°€𝄞😀") == characters("é°€𝄞😀"))
        #expect(keys([0xc2, 0xa0]) == [.character("\u{a0}")], "no-break space is text")
    }

    @Test("CR, LF and CR LF are one enter each; a CR LF split across reads is still one")
    func enter() {
        #expect(keys("\r") == [.enter])
        #expect(keys("\n") == [.enter])
        #expect(keys("\r\n") == [.enter])
        #expect(keys("\r\r\n\n") == [.enter, .enter, .enter])
        #expect(keys("\n\r") == [.enter, .enter])
        #expect(keys("a\r\nb") == [.character("a"), .enter, .character("b")])
        #expect(keys(Array("\r\n".utf8), cutAt: [1]) == [.enter])
        #expect(keys("\rx\n") == [.enter, .character("x"), .enter], "only a LF right after the CR is swallowed")
    }

    @Test("Tab, backspace (DEL and BS) and Ctrl-letters")
    func controls() {
        #expect(keys([0x09]) == [.tab])
        #expect(keys([0x7f]) == [.backspace])
        #expect(keys([0x08]) == [.backspace])
        #expect(keys([0x01]) == [.control("a")])
        #expect(keys([0x03]) == [.control("c")])
        #expect(keys([0x11, 0x1a]) == [.control("q"), .control("z")])
        let letters = (0x01...0x1a).map { UInt8($0) }.filter { ![0x08, 0x09, 0x0a, 0x0d].contains($0) }
        #expect(keys(letters) == letters.map { .control(Character(Unicode.Scalar($0 + 0x60))) })
        #expect(keys([0x00, 0x1c, 0x1d, 0x1e, 0x1f]).isEmpty, "NUL and Ctrl-\\ ] ^ _ are not keys")
    }

    @Test("CSI and SS3 cursor keys, with and without modifiers")
    func cursorKeys() {
        #expect(keys("\u{1b}[A\u{1b}[B\u{1b}[C\u{1b}[D") == [.up, .down, .right, .left])
        #expect(keys("\u{1b}[H\u{1b}[F\u{1b}[Z") == [.home, .end, .backTab])
        #expect(keys("\u{1b}OA\u{1b}OB\u{1b}OC\u{1b}OD\u{1b}OH\u{1b}OF") == [.up, .down, .right, .left, .home, .end])
        #expect(keys("\u{1b}[1;5A\u{1b}[1;2D\u{1b}[1;3H") == [.up, .left, .home])
    }

    @Test("The tilde keys: home, end, page up, page down, delete")
    func tildeKeys() {
        #expect(keys("\u{1b}[1~\u{1b}[4~\u{1b}[5~\u{1b}[6~\u{1b}[3~\u{1b}[7~\u{1b}[8~")
            == [.home, .end, .pageUp, .pageDown, .delete, .home, .end])
        #expect(keys("\u{1b}[5;5~\u{1b}[3;2~") == [.pageUp, .delete])
    }

    @Test("A lone ESC waits for a flush; ESC ESC is an escape and decoding goes on")
    func escape() {
        var decoder = KeyDecoder()
        let nothing = decoder.feed([0x1b])
        #expect(nothing.isEmpty)
        #expect(decoder.hasPending)
        let flushed = decoder.flush()
        #expect(flushed == [.escape])
        #expect(!decoder.hasPending)
        let flushedAgain = decoder.flush()
        #expect(flushedAgain.isEmpty)

        #expect(keys("\u{1b}\u{1b}[A") == [.escape, .up])
        #expect(keys("\u{1b}\u{1b}") == [.escape, .escape])
        #expect(keys("\u{1b}x") == [.escape, .character("x")], "Alt-x")
        var later = KeyDecoder()
        let first = later.feed([0x1b])
        let second = later.feed(Array("[B".utf8))
        #expect(first.isEmpty && second == [.down], "the rest of a sequence may come in the next read")
    }

    @Test("Unknown escape sequences are consumed, never printed")
    func unknownSequences() {
        let unknown = [
            "\u{1b}[2~", "\u{1b}[15~", "\u{1b}[200~", "\u{1b}[<0;12;5M", "\u{1b}[?1;2c", "\u{1b}[12;40R",
            "\u{1b}[27;5;9~", "\u{1b}OP", "\u{1b}O5S", "\u{1b}[[A", "\u{1b}[ q", "\u{1b}[1234567~",
        ]
        for sequence in unknown {
            #expect(keys(sequence + "a") == [.character("a")], "\(sequence.debugDescription)")
        }
    }

    @Test("A sequence broken by a byte that cannot belong to it is dropped up to that byte")
    func brokenSequences() {
        #expect(keys("\u{1b}[1\u{1b}[A") == [.up])
        #expect(keys("\u{1b}[12\r") == [.enter])
        #expect(keys("\u{1b}O\u{7f}") == [.backspace])
    }

    @Test("Invalid UTF-8 is dropped and what follows it is kept")
    func invalidUTF8() {
        #expect(keys([0xff, 0x61]) == [.character("a")])
        #expect(keys([0x80, 0xbf, 0x61]) == [.character("a")], "stray continuation bytes")
        #expect(keys([0xc0, 0xaf, 0x61]) == [.character("a")], "overlong '/'")
        #expect(keys([0xe0, 0x80, 0xaf]).isEmpty, "overlong, three bytes")
        #expect(keys([0xed, 0xa0, 0x80]).isEmpty, "a surrogate")
        #expect(keys([0xf4, 0x90, 0x80, 0x80]).isEmpty, "above U+10FFFF")
        #expect(keys([0xc3, 0x61]) == [.character("a")], "a lead byte without its continuation")
        #expect(keys([0xe2, 0x82, 0x1b, 0x5b, 0x41]) == [.up], "an escape sequence inside a character")
        #expect(keys([0xc2, 0x9b]).isEmpty, "C1 controls are not text")
    }

    @Test("An incomplete character waits for the next read and is dropped by a flush")
    func incompleteUTF8() {
        var decoder = KeyDecoder()
        let first = decoder.feed([0xe2, 0x82])
        #expect(first.isEmpty)
        #expect(decoder.hasPending)
        let rest = decoder.feed([0xac])
        #expect(rest == [.character("€")])
        #expect(!decoder.hasPending)

        let cut = decoder.feed([0xf0, 0x9f])
        let dropped = decoder.flush()
        #expect(cut.isEmpty && dropped.isEmpty)
        let after = decoder.feed([0x61])
        #expect(after == [.character("a")])
    }

    @Test("Any input cut at any position, once or twice or byte by byte, decodes as in one piece")
    func splitFeeds() {
        let input = Array("a°\r\n\u{1b}[A\u{1b}[1;5C\u{1b}OH\u{1b}[5~é\u{1b}\u{1b}[Z\t\u{7f}\u{3}\u{1b}[<0;1;2M€z😀\r\r\n".utf8)
        let whole = keys(input)
        #expect(whole == [
            .character("a"), .character("°"), .enter, .up, .right, .home, .pageUp, .character("é"), .escape,
            .backTab, .tab, .backspace, .control("c"), .character("€"), .character("z"), .character("😀"),
            .enter, .enter,
        ])
        for first in 0...input.count {
            #expect(keys(input, cutAt: [first]) == whole, "cut at \(first)")
            for second in first...input.count {
                #expect(keys(input, cutAt: [first, second]) == whole, "cut at \(first) and \(second)")
            }
        }
        #expect(keys(input, cutAt: Array(1..<input.count)) == whole, "byte by byte")
    }

    @Test("Random bytes cut anywhere decode as in one piece and never give control characters as text")
    func randomBytes() {
        var random = RandomSource(seed: 0x5eed)
        let alphabet: [UInt8] = [0x1b, 0x1b, 0x5b, 0x5b, 0x4f, 0x31, 0x3b, 0x35, 0x7e, 0x41, 0x0d, 0x0a, 0x7f,
                                 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0xff, 0x61, 0x3c, 0x4d]
        for _ in 0..<500 {
            let input = (0..<Int.random(in: 1...40, using: &random)).map { _ in
                Bool.random(using: &random) ? alphabet.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
            }
            let whole = keys(input)
            let cuts = (0..<Int.random(in: 1...4, using: &random)).map { _ in Int.random(in: 0...input.count, using: &random) }.sorted()
            #expect(keys(input, cutAt: cuts) == whole, "\(input) cut at \(cuts)")
            #expect(keys(input, cutAt: Array(1..<input.count)) == whole, "\(input) byte by byte")
            for case .character(let character) in whole {
                #expect(character.unicodeScalars.allSatisfy { $0.value >= 0x20 && !(0x7f...0x9f).contains($0.value) },
                        "\(input) gave \(character.debugDescription)")
            }
        }
    }
}
