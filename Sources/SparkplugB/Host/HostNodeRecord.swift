/// What a host knows of one edge node's session: its bdSeq, the last seq, the metrics its births named, and the
/// messages held while one is missing.
struct HostNodeRecord: Sendable {
    /// A metric as a birth named it.
    struct MetricInfo: Sendable {
        var name: String
        var dataType: SparkplugDataType
        var unit: String?
    }

    /// The metrics of the node or of one device, by name (in birth order) and by alias.
    struct MetricSet: Sendable {
        private(set) var names: [String] = []
        private var byName: [String: MetricInfo] = [:]
        private var byAlias: [UInt64: String] = [:]

        init(_ metrics: [SparkplugMetric]) {
            for metric in metrics {
                guard let name = metric.name, let dataType = metric.dataType else { continue }
                if byName[name] == nil { names.append(name) }
                byName[name] = MetricInfo(name: name, dataType: dataType, unit: metric.properties.engineeringUnit)
                if let alias = metric.alias { byAlias[alias] = name }
            }
        }

        /// The metric named `name`, else aliased `alias`.
        func info(name: String?, alias: UInt64?) -> MetricInfo? {
            if let name { return byName[name] }
            if let alias, let name = byAlias[alias] { return byName[name] }
            return nil
        }
    }

    /// A message held until the ones before it arrive.
    struct Held: Sendable {
        var topic: SparkplugTopic
        var text: String
        var payload: [UInt8]
    }

    var bdSeq: UInt8
    var online = true
    var lastSeq: UInt8
    var metrics: MetricSet
    var devices: [String: (online: Bool, metrics: MetricSet)] = [:]
    /// Held messages by seq, and since when the oldest gap is open.
    var held: [UInt8: Held] = [:]
    var gapSince: UInt64?
    /// A rebirth was asked for: sequenced messages are dropped until the NBIRTH.
    var awaitingRebirth = false

    init(bdSeq: UInt8, seq: UInt8, metrics: [SparkplugMetric]) {
        self.bdSeq = bdSeq
        lastSeq = seq
        self.metrics = MetricSet(metrics)
    }
}
