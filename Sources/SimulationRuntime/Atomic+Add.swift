import Synchronization

extension Atomic where Value == Int {
    func add(_ amount: Int) {
        wrappingAdd(amount, ordering: .relaxed)
    }
}
