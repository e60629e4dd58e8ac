import Foundation
import Rules
import TwinModel
import Twins

/// How a stored twin is kept in a row: its record and its rules' memories as JSON, the same in every store.
public enum StoredTwinJSON {
    /// A twin's row data: its record and its rules' memories as JSON, or `nil` if either cannot be encoded. Written
    /// without building a tree first (several times faster than `JSONEncoder`); read back by ``load(_:)``.
    public static func encode(_ twin: StoredTwin) -> (record: [UInt8], rules: [UInt8]?)? {
        let encoder = StreamingJSONEncoder()
        guard let record = try? encoder.encode(twin.record) else { return nil }
        guard let saved = twin.rules else { return (record, nil) }
        guard let rules = try? encoder.encode(saved) else { return nil }
        return (record, rules)
    }

    /// The twins of stored rows; a row that cannot be read is reported by id and skipped, one whose rules cannot be
    /// read keeps its record and is reported as `"{id} (rules)"`.
    public static func load(_ rows: [(id: String, record: Data, rules: Data?)]) -> LoadedTwins {
        let decoder = JSONDecoder()
        var twins: [StoredTwin] = []
        var unreadable: [String] = []
        for row in rows {
            guard let record = try? decoder.decode(Twin.Record.self, from: row.record) else {
                unreadable.append(row.id)
                continue
            }
            var rules: MachineRules.Saved?
            if let data = row.rules {
                rules = try? decoder.decode(MachineRules.Saved.self, from: data)
                if rules == nil { unreadable.append("\(row.id) (rules)") }
            }
            twins.append(StoredTwin(record: record, rules: rules))
        }
        return LoadedTwins(twins: twins, unreadable: unreadable)
    }
}
