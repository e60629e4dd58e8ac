/// The selected item of a list whose order changes under it: pinned to the item's key, with the row it was on
/// as a fallback, so a selection whose item leaves hands over to its neighbour, not to the top.
struct ListSelection<Key: Hashable & Sendable>: Sendable, Equatable {
    private(set) var key: Key?
    private var row = 0

    /// The selected item's position in `keys`, or the remembered row's (clamped); `nil` for an empty list.
    func index(in keys: [Key]) -> Int? {
        guard !keys.isEmpty else { return nil }
        if let key, let found = keys.firstIndex(of: key) { return found }
        return min(max(row, 0), keys.count - 1)
    }

    /// Moves `offset` rows (clamped to the list).
    mutating func move(by offset: Int, in keys: [Key]) {
        guard let index = index(in: keys) else { return }
        select(min(max(index.addingReportingOverflow(offset).partialValue, 0), keys.count - 1), in: keys)
    }

    /// Pins the selection to the item shown as selected now.
    mutating func pin(in keys: [Key]) {
        guard let index = index(in: keys) else { return }
        select(index, in: keys)
    }

    private mutating func select(_ index: Int, in keys: [Key]) {
        key = keys[index]
        row = index
    }
}
