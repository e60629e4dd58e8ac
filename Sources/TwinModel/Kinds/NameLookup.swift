extension String {
    /// Whether `other` is the same name, its length compared first. A machine's property names mostly differ in
    /// length, and `==` on two different strings takes the slow path of a full comparison; finding a name among a
    /// kind's or a twin's properties is done for every reading.
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
