import Foundation
import TwinModel
import Twins

/// When a changed twin's snapshot and history go out: at most once per interval each, the latest state winning.
struct PublicationPacing: Sendable {
    /// Twins changed since their snapshot went out.
    private(set) var snapshots: PublicationSchedule
    /// Twins whose samples changed since their history went out.
    private(set) var histories: PublicationSchedule

    init(snapshotInterval: Duration, historyInterval: Duration) {
        snapshots = PublicationSchedule(interval: snapshotInterval.secondsValue)
        histories = PublicationSchedule(interval: historyInterval.secondsValue)
    }

    /// `address` changed; its history too when `samples` did.
    mutating func noteChanged(_ address: PlantPath, samples: Bool) {
        snapshots.pending.insert(address)
        if samples { histories.pending.insert(address) }
    }

    /// Snapshots due at `now`.
    mutating func dueSnapshots(now: Date, in store: TwinStore) -> [Twin] {
        snapshots.due(now: now, in: store)
    }

    /// Histories due at `now`.
    mutating func dueHistories(now: Date, in store: TwinStore) -> [Twin] {
        histories.due(now: now, in: store)
    }
}

/// Twins waiting to be published, and when each was last.
struct PublicationSchedule: Sendable {
    /// Seconds between two publications of a twin.
    let interval: Double
    var pending: Set<PlantPath> = []
    private var last = PublicationTimes()

    init(interval: Double) {
        self.interval = interval
    }

    /// The pending twins not published within the interval: they leave `pending`, stamped `now`. Twins no longer in
    /// the store leave it too.
    mutating func due(now: Date, in store: TwinStore) -> [Twin] {
        guard !pending.isEmpty else { return [] }
        var due: [Twin] = []
        var waiting: [PlantPath] = []
        for address in pending {
            guard let twin = store.twins[address] else { continue }
            if let published = last[twin.serial], now.timeIntervalSince(published) < interval {
                waiting.append(address)
                continue
            }
            due.append(twin)
            last[twin.serial] = now
        }
        // Built again rather than emptied one by one: a set keeps the size of its largest burst (every twin) otherwise.
        pending = Set(waiting)
        return due
    }
}
