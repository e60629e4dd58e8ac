extension String {
    /// Whether `other` is the same name: as long in UTF-8 and equal. Spellings of another length are other names, as
    /// MQTT topics are not normalised either (`é` and `e` + U+0301 are two names). Most names of a machine differ in
    /// length, and `==` on two different strings can take the slow path of a canonical comparison; finding a name among
    /// a kind's or a twin's properties is done for every reading.
    @inlinable
    public func isSameName(as other: String) -> Bool {
        utf8.count == other.utf8.count && self == other
    }
}

extension Array where Element == String {
    /// The position of `name`, by ``Swift/String/isSameName(as:)``.
    @inlinable
    public func position(ofName name: String) -> Int? {
        firstIndex { $0.isSameName(as: name) }
    }
}

extension String {
    /// Whether both strings are the same UTF-8 bytes: stricter than `==`, which holds canonically equivalent
    /// spellings equal ("Ω" and the Ohm sign), and than ``isSameName(as:)``. For writers that must reproduce input
    /// byte for byte.
    @inlinable
    public func hasSameBytes(as other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        let same = utf8.withContiguousStorageIfAvailable { these in
            other.utf8.withContiguousStorageIfAvailable { those in these.elementsEqual(those) }
        }
        return (same ?? nil) ?? utf8.elementsEqual(other.utf8)
    }
}
