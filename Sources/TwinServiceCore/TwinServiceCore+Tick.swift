import Foundation
import Rules
import TwinModel
import Twins

extension TwinServiceCore {
    /// The clock: once a second twins go stale and the clock rules run; then whatever is due goes out: alert counts,
    /// snapshots, histories, commands, and (when the tick says so) aggregates and metrics.
    mutating func tick(_ tick: Tick, into actions: inout [Action]) {
        let now = tick.now
        if lastRefresh.map({ now.timeIntervalSince($0) >= 1 }) ?? true {
            store.refresh(now: now)
            lastRefresh = now
            let events = rules.evaluateClock(store.twins, wall: now)
            for event in events { writes.noteChanged(event.alert.address) }
            emit(events, time: now, into: &actions)
        }
        if publishesAggregates {
            for (path, count) in counts.take(from: rules) { actions.append(.publish(.alertCounts(path, count))) }
        }
        for twin in pacing.dueSnapshots(now: now, in: store) { actions.append(.publish(.snapshot(twin))) }
        for twin in pacing.dueHistories(now: now, in: store) { actions.append(.publish(.history(twin))) }
        for (address, command) in commands.due(now: now, in: store) { send(command, to: address, into: &actions) }
        if let figures = tick.metrics {
            if publishesAggregates {
                for (path, sum) in store.aggregates() { actions.append(.publish(.aggregate(path, sum))) }
            }
            actions.append(.publish(.metrics(metrics.report(now: now, store: store, rules: rules, runtime: figures))))
        }
    }
}
