/// A key the user pressed, as decoded from what a terminal in raw mode sends (see ``KeyDecoder``).
public enum Key: Hashable, Sendable {
    /// Printable text: one character, ASCII or a decoded UTF-8 sequence such as "é" or "°".
    case character(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, tab, backTab, escape, backspace, delete
    /// Ctrl with a letter, as the lowercase letter: Ctrl-C is `control("c")`. Ctrl-H, Ctrl-I, Ctrl-J and
    /// Ctrl-M arrive as `backspace`, `tab` and `enter`: terminals send the same bytes for those keys.
    case control(Character)
}
