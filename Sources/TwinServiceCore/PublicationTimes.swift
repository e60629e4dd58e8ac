import Foundation

/// When something last went out for each twin, by the twin's ``Twins/Twin/serial``: an array of eight bytes a twin,
/// where a hash table keyed by address took about 190 (slots for up to 2.7 entries of 72 bytes each).
struct PublicationTimes: Sendable {
    /// Seconds since 1970, by serial; NaN for never.
    private var seconds: [Double] = []

    subscript(serial: Int) -> Date? {
        get {
            guard seconds.indices.contains(serial), !seconds[serial].isNaN else { return nil }
            return Date(timeIntervalSince1970: seconds[serial])
        }
        set {
            if serial >= seconds.count { seconds.append(contentsOf: repeatElement(.nan, count: serial + 1 - seconds.count)) }
            seconds[serial] = newValue?.timeIntervalSince1970 ?? .nan
        }
    }
}
