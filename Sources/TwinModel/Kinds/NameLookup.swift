extension String {
    /// Whether `other` is the same name, as `==` says (canonical equivalence), but quicker to say no. A machine's
    /// property names are ASCII and mostly differ in length, and `==` on two different strings takes the slow path of
    /// a full comparison; finding a name among a kind's or a twin's properties is done for every reading. Names of
    /// another length can still be equal when either is not ASCII (`é` and `e` + U+0301): those go to `==`.
    @inlinable
    public func isSameName(as other: String) -> Bool {
        if utf8.count != other.utf8.count, utf8.allSatisfy({ $0 < 0x80 }), other.utf8.allSatisfy({ $0 < 0x80 }) { return false }
        return self == other
    }
}

extension Array where Element == String {
    /// The position of `name`, by ``Swift/String/isSameName(as:)``.
    @inlinable
    public func position(ofName name: String) -> Int? {
        firstIndex { $0.isSameName(as: name) }
    }
}
