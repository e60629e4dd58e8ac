/// `BENCHMARKS.md`: hand-written text around the latest run's section, which `twinhub bench` replaces between
/// two markers (and appends, with the markers, when they are missing).
public enum BenchmarksDocument {
    public static let begin = "<!-- twinhub bench: latest run (generated; edit around it) -->"
    public static let end = "<!-- twinhub bench: end -->"

    /// `document` with the generated section replaced by `section`.
    public static func replacingLatestRun(in document: String, with section: String) -> String {
        let block = "\(begin)\n\(section)\n\(end)"
        guard let start = document.range(of: begin), let stop = document.range(of: end, range: start.upperBound..<document.endIndex) else {
            let separator = document.isEmpty || document.hasSuffix("\n\n") ? "" : document.hasSuffix("\n") ? "\n" : "\n\n"
            return document + separator + block + "\n"
        }
        return String(document[..<start.lowerBound]) + block + String(document[stop.upperBound...])
    }
}
