/// Turns the bytes a terminal sends in raw mode into ``Key``s.
///
/// Feed it whatever `read(2)` returned; a sequence cut off at the end of one read (an escape sequence or a
/// multi-byte UTF-8 character) is kept and completed by the next. A lone ESC cannot be told from the start
/// of an escape sequence until the terminal has been quiet for a moment, so the caller calls ``flush()``
/// when ``hasPending`` stays true for about 50 ms.
///
/// Understood: printable ASCII and UTF-8; CR, LF and CR LF as one enter; tab; DEL and BS as backspace;
/// Ctrl-letters; CSI (`ESC [`) arrows, home, end, back-tab and the `~` keys, with or without modifier
/// parameters (`ESC [1;5A` is `up`); SS3 (`ESC O`) arrows, home and end. Any other well-formed escape
/// sequence (function keys, mouse reports, terminal replies) is consumed and ignored, and invalid UTF-8 is
/// dropped, so neither ever shows up as text.
public struct KeyDecoder: Sendable {
    /// Bytes of an incomplete sequence, waiting for more.
    private var pending: [UInt8] = []
    /// Whether the last byte decoded was a CR, so that a LF right after it is half of one CR LF enter.
    private var afterCarriageReturn = false

    public init() {}

    /// Decodes bytes read from a terminal in raw mode; an incomplete escape or UTF-8 sequence at the end is
    /// kept for the next call.
    public mutating func feed(_ bytes: [UInt8]) -> [Key] {
        pending.append(contentsOf: bytes)
        var keys: [Key] = []
        var index = 0
        decoding: while index < pending.count {
            if afterCarriageReturn, pending[index] == Byte.lineFeed {
                afterCarriageReturn = false
                index += 1
                continue
            }
            switch Self.decode(pending, at: index) {
            case .incomplete:
                break decoding
            case .decoded(let key, let length):
                afterCarriageReturn = pending[index] == Byte.carriageReturn
                if let key { keys.append(key) }
                index += length
            }
        }
        pending.removeFirst(index)
        return keys
    }

    /// Whether a lone ESC (or an incomplete sequence) is waiting; the caller calls `flush()` after ~50 ms of
    /// quiet.
    public var hasPending: Bool { !pending.isEmpty }

    /// Gives what is pending as keys: a lone ESC becomes `.escape`, garbage (a cut-off escape sequence or
    /// UTF-8 character) is dropped.
    public mutating func flush() -> [Key] {
        defer { pending.removeAll() }
        return pending == [Byte.escape] ? [.escape] : []
    }
}

extension KeyDecoder {
    /// What one step of decoding found.
    private enum Step {
        /// The bytes end inside a sequence: wait for more.
        case incomplete
        /// `length` bytes make one key, or nothing worth reporting.
        case decoded(Key?, length: Int)
    }

    /// The bytes with a meaning of their own.
    private enum Byte {
        static let backspace: UInt8 = 0x08
        static let tab: UInt8 = 0x09
        static let lineFeed: UInt8 = 0x0a
        static let carriageReturn: UInt8 = 0x0d
        static let escape: UInt8 = 0x1b
        static let delete: UInt8 = 0x7f
        /// `[`, which makes ESC a CSI.
        static let csi = UInt8(ascii: "[")
        /// `O`, which makes ESC an SS3.
        static let ss3 = UInt8(ascii: "O")
        /// Parameter and intermediate bytes of an escape sequence.
        static let parameters: ClosedRange<UInt8> = 0x20...0x3f
        /// Final bytes of an escape sequence.
        static let finals: ClosedRange<UInt8> = 0x40...0x7e
        /// UTF-8 continuation bytes.
        static let continuation: ClosedRange<UInt8> = 0x80...0xbf
    }

    /// Decodes the key that starts at `index`.
    private static func decode(_ bytes: [UInt8], at index: Int) -> Step {
        let byte = bytes[index]
        switch byte {
        case Byte.escape:
            return escapeSequence(bytes, at: index)
        case Byte.carriageReturn, Byte.lineFeed:
            return .decoded(.enter, length: 1)
        case Byte.tab:
            return .decoded(.tab, length: 1)
        case Byte.backspace, Byte.delete:
            return .decoded(.backspace, length: 1)
        case 0x01...0x1a:
            return .decoded(.control(Character(Unicode.Scalar(byte + 0x60))), length: 1)
        case 0x20...0x7e:
            return .decoded(.character(Character(Unicode.Scalar(byte))), length: 1)
        case 0x80...:
            return utf8(bytes, at: index)
        default:  // NUL and Ctrl-\ ] ^ _
            return .decoded(nil, length: 1)
        }
    }

    /// Decodes what starts with the ESC at `index`: a CSI or SS3 sequence, or ESC on its own. ESC followed by
    /// anything else (another ESC, or a character as Alt sends it) is `escape`, and what follows is decoded
    /// on its own.
    private static func escapeSequence(_ bytes: [UInt8], at index: Int) -> Step {
        guard index + 1 < bytes.count else { return .incomplete }
        switch bytes[index + 1] {
        case Byte.csi:
            return controlSequence(bytes, at: index)
        case Byte.ss3:
            return sequence(bytes, at: index, parametersFrom: index + 2) { _, final in ss3Key(final) }
        default:
            return .decoded(.escape, length: 1)
        }
    }

    /// Decodes the CSI sequence (`ESC [`) at `index`.
    private static func controlSequence(_ bytes: [UInt8], at index: Int) -> Step {
        let body = index + 2
        // The Linux console's F1–F5 are `ESC [ [ A` to `ESC [ [ E`: one more byte than CSI grammar says.
        if body < bytes.count, bytes[body] == Byte.csi {
            guard body + 1 < bytes.count else { return .incomplete }
            return .decoded(nil, length: Byte.finals.contains(bytes[body + 1]) ? 4 : 3)
        }
        return sequence(bytes, at: index, parametersFrom: body, key: csiKey)
    }

    /// Decodes an escape sequence whose parameter bytes start at `start` and which ends with a final byte;
    /// `key` names the key of a complete sequence. A sequence broken by a byte that cannot be part of it is
    /// dropped up to that byte, which is then decoded on its own.
    private static func sequence(_ bytes: [UInt8], at index: Int, parametersFrom start: Int,
                                 key: (ArraySlice<UInt8>, UInt8) -> Key?) -> Step {
        var end = start
        while end < bytes.count {
            let byte = bytes[end]
            if Byte.parameters.contains(byte) {
                end += 1
            } else if Byte.finals.contains(byte) {
                return .decoded(key(bytes[start..<end], byte), length: end + 1 - index)
            } else {
                return .decoded(nil, length: end - index)
            }
        }
        return .incomplete
    }

    /// The key of a complete CSI sequence, nil for one this console does not use. Modifier parameters
    /// (`1;5` in `ESC [1;5A`) are ignored; private sequences (`ESC [<`…, `ESC [?`…) and those with
    /// intermediate bytes are not keys.
    private static func csiKey(_ parameters: ArraySlice<UInt8>, _ final: UInt8) -> Key? {
        guard !parameters.contains(where: { $0 < 0x30 || $0 > 0x3b }) else { return nil }
        switch final {
        case UInt8(ascii: "A"): return .up
        case UInt8(ascii: "B"): return .down
        case UInt8(ascii: "C"): return .right
        case UInt8(ascii: "D"): return .left
        case UInt8(ascii: "H"): return .home
        case UInt8(ascii: "F"): return .end
        case UInt8(ascii: "Z"): return .backTab
        case UInt8(ascii: "~"): break
        default: return nil
        }
        let number = parameters.prefix { $0 != UInt8(ascii: ";") }
        guard number.count <= 3, number.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        switch number.reduce(0, { $0 * 10 + Int($1 - 0x30) }) {
        case 1, 7: return .home
        case 4, 8: return .end
        case 5: return .pageUp
        case 6: return .pageDown
        case 3: return .delete
        default: return nil
        }
    }

    /// The key of a complete SS3 sequence (`ESC O`), as terminals send arrows in application cursor mode.
    private static func ss3Key(_ final: UInt8) -> Key? {
        switch final {
        case UInt8(ascii: "A"): .up
        case UInt8(ascii: "B"): .down
        case UInt8(ascii: "C"): .right
        case UInt8(ascii: "D"): .left
        case UInt8(ascii: "H"): .home
        case UInt8(ascii: "F"): .end
        case UInt8(ascii: "M"): .enter
        default: nil
        }
    }

    /// Decodes the UTF-8 sequence whose lead byte is at `index`. Overlong forms, surrogates and values above
    /// U+10FFFF are invalid (the ranges of the Unicode standard's table 3-7); an invalid lead byte is dropped,
    /// and so is a valid start cut short by a byte that cannot continue it, which is then decoded on its own.
    /// C1 control characters are not text and are dropped too.
    private static func utf8(_ bytes: [UInt8], at index: Int) -> Step {
        let lead = bytes[index]
        let (length, second): (Int, ClosedRange<UInt8>)
        switch lead {
        case 0xc2...0xdf: (length, second) = (2, Byte.continuation)
        case 0xe0: (length, second) = (3, 0xa0...0xbf)
        case 0xed: (length, second) = (3, 0x80...0x9f)
        case 0xe1...0xef: (length, second) = (3, Byte.continuation)
        case 0xf0: (length, second) = (4, 0x90...0xbf)
        case 0xf4: (length, second) = (4, 0x80...0x8f)
        case 0xf1...0xf3: (length, second) = (4, Byte.continuation)
        default: return .decoded(nil, length: 1)
        }
        var value = UInt32(lead) & (0x7f >> length)
        for offset in 1..<length {
            guard index + offset < bytes.count else { return .incomplete }
            let byte = bytes[index + offset]
            guard (offset == 1 ? second : Byte.continuation).contains(byte) else {
                return .decoded(nil, length: offset)
            }
            value = value << 6 | UInt32(byte & 0x3f)
        }
        guard let scalar = Unicode.Scalar(value), value >= 0xa0 else { return .decoded(nil, length: length) }
        return .decoded(.character(Character(scalar)), length: length)
    }
}
