/// How a cell is drawn: colours and attributes, in the 16 colours every terminal has.
public struct TextStyle: Hashable, Sendable {
    /// A terminal colour (SGR 30–37 and 90–97 for the foreground, 40–47 and 100–107 for the background).
    public enum Color: Hashable, Sendable {
        case `default`
        case black, red, green, yellow, blue, magenta, cyan, white
        case gray, brightRed, brightGreen, brightYellow, brightBlue, brightMagenta, brightCyan, brightWhite
    }

    public var foreground: Color
    public var background: Color
    public var bold: Bool
    public var dim: Bool
    public var inverse: Bool
    public var underline: Bool

    public init(foreground: Color = .default, background: Color = .default, bold: Bool = false, dim: Bool = false,
                inverse: Bool = false, underline: Bool = false) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.dim = dim
        self.inverse = inverse
        self.underline = underline
    }

    /// The terminal's default look.
    public static let plain = TextStyle()

    /// This style with another foreground.
    public func foreground(_ color: Color) -> TextStyle {
        var style = self
        style.foreground = color
        return style
    }

    /// This style, bold.
    public var emphasized: TextStyle {
        var style = self
        style.bold = true
        return style
    }

    /// This style, dimmed.
    public var dimmed: TextStyle {
        var style = self
        style.dim = true
        return style
    }

    /// This style, with foreground and background swapped (selection bars).
    public var inverted: TextStyle {
        var style = self
        style.inverse = true
        return style
    }
}
