/// A trend in eight block heights (`▁▂▃▄▅▆▇█`), scaled from the lowest to the highest value shown.
public enum Sparkline {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// The last `width` values as blocks; a flat series is drawn at the lowest block. Non-finite values are gaps.
    public static func render(_ values: [Double], width: Int) -> String {
        guard width > 0 else { return "" }
        let shown = values.suffix(width)
        let finite = shown.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return "" }
        let span = high - low
        guard span.isFinite else { return String(repeating: blocks[0], count: shown.count) }
        return String(shown.map { value -> Character in
            guard value.isFinite else { return " " }
            guard span > 0 else { return blocks[0] }
            let level = Int(((value - low) / span * Double(blocks.count - 1)).rounded())
            return blocks[min(max(level, 0), blocks.count - 1)]
        })
    }
}
