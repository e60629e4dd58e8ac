import Console
import FleetView
import Foundation

/// The terminal side of the screen loop: the last frame sent, so only changes go out.
struct Screen {
    let terminal: Terminal
    let colors: Bool
    private var size: TerminalSize
    private var shown: Frame?
    private var shownRevision = -1
    private var shownUI: ConsoleUI?
    private var lastDraw = Date.distantPast

    init(terminal: Terminal, colors: Bool) {
        self.terminal = terminal
        self.colors = colors
        size = Terminal.currentSize() ?? TerminalSize(width: 80, height: 24)
    }

    mutating func resize(to size: TerminalSize) {
        self.size = size
        shown = nil
    }

    /// Forgets what the screen shows, so the next draw repaints everything (Ctrl-L).
    mutating func redrawAll() {
        shown = nil
    }

    /// Draws the model, sending only the cells that differ from the screen. Skips the work when neither the
    /// model nor the UI changed, except once a second (ages move).
    mutating func draw(_ model: FleetModel, ui: ConsoleUI) {
        let now = Date()
        if shown != nil, model.revision == shownRevision, ui == shownUI, now.timeIntervalSince(lastDraw) < 1 { return }
        shownRevision = model.revision
        shownUI = ui
        lastDraw = now
        let frame = ConsoleRenderer.render(model: model, ui: ui, width: size.width, height: size.height, now: now)
        let bytes = TerminalEncoder.update(from: shown, to: frame, colors: colors)
        if !bytes.isEmpty { terminal.write(bytes) }
        shown = frame
    }
}
