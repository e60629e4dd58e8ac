import Testing
import TwinModel

/// What comes from the outside is written to a log with its control characters escaped: no terminal injection.
@Suite("Log text")
struct LogTextTests {
    @Test("ESC, BEL, line breaks, DEL and C1 controls are escaped; printable text, accents and emoji are kept")
    func escaping() {
        #expect(LogText.escaped("acme/\u{1B}]0;owned\u{07}/cnc") == #"acme/\u{1B}]0;owned\u{7}/cnc"#)
        #expect(LogText.escaped("a\nb\r\tc\u{7F}\u{9B}") == #"a\u{A}b\u{D}\u{9}c\u{7F}\u{9B}"#)
        #expect(LogText.escaped("Öl 24.2 °C 🔥") == "Öl 24.2 °C 🔥")
    }
}
