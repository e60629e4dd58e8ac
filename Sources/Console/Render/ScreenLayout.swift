/// A rectangle of the screen.
public struct Region: Sendable, Equatable {
    public var row: Int
    public var column: Int
    public var width: Int
    public var height: Int

    public init(row: Int, column: Int, width: Int, height: Int) {
        self.row = row
        self.column = column
        self.width = max(0, width)
        self.height = max(0, height)
    }
}

/// Where each pane goes for a screen size. Two layouts:
/// - **compact** (under 120×34, down to 80×24 and a little less): alerts across the top; the fleet and one detail
///   below, the detail following the focus (the alert's explanation, or the machine's properties);
/// - **wide**: alerts and the alert's explanation on top, the fleet and the machine's properties below.
public struct ScreenLayout: Sendable, Equatable {
    /// The smallest screen drawn; below it the console asks for a bigger terminal.
    public static let minimumWidth = 60
    public static let minimumHeight = 16

    public var header: Region
    public var alerts: Region
    public var fleet: Region
    /// The explanation of the selected alert, when shown.
    public var alertDetail: Region?
    /// The properties of the selected machine, when shown.
    public var machineDetail: Region?
    public var footer: Region
    public var isWide: Bool

    /// The layout of a `width`×`height` screen; `nil` when it is too small. `focusOnFleet` picks the compact
    /// layout's detail.
    public static func compute(width: Int, height: Int, focusOnFleet: Bool) -> ScreenLayout? {
        guard width >= minimumWidth, height >= minimumHeight else { return nil }
        let header = Region(row: 0, column: 0, width: width, height: 2)
        let footer = Region(row: height - 1, column: 0, width: width, height: 1)
        let body = height - 3
        if width >= 120 && height >= 34 {
            let top = body / 2
            let left = width * 3 / 5
            return ScreenLayout(
                header: header,
                alerts: Region(row: 2, column: 0, width: left, height: top),
                fleet: Region(row: 2 + top, column: 0, width: left, height: body - top),
                alertDetail: Region(row: 2, column: left + 1, width: width - left - 1, height: top),
                machineDetail: Region(row: 2 + top, column: left + 1, width: width - left - 1, height: body - top),
                footer: footer, isWide: true)
        }
        let top = max(5, body * 2 / 5)
        let left = min(46, width * 9 / 20)
        let lower = Region(row: 2 + top, column: left + 1, width: width - left - 1, height: body - top)
        return ScreenLayout(
            header: header,
            alerts: Region(row: 2, column: 0, width: width, height: top),
            fleet: Region(row: 2 + top, column: 0, width: left, height: body - top),
            alertDetail: focusOnFleet ? nil : lower,
            machineDetail: focusOnFleet ? lower : nil,
            footer: footer, isWide: false)
    }
}
