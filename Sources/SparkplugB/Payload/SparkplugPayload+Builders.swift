extension SparkplugPayload {
    /// The name of the birth/death sequence metric of NBIRTH and NDEATH (Int64).
    public static let bdSeqMetricName = "bdSeq"
    /// The name of the rebirth metric: false in every NBIRTH, true in an NCMD that asks for a rebirth (Boolean).
    public static let rebirthMetricName = "Node Control/Rebirth"

    /// An NBIRTH: seq 0, the `bdSeq` of the will registered at connect, `Node Control/Rebirth` false, then the node's
    /// metrics, each with its name, alias, datatype and current value (null when it has none).
    /// Metrics without a timestamp get the payload's.
    public static func nodeBirth(bdSeq: UInt8, timestamp: UInt64, metrics: [SparkplugMetric]) -> SparkplugPayload {
        let control = [
            SparkplugMetric(name: bdSeqMetricName, dataType: .int64, value: .int64(Int64(bdSeq)), timestamp: timestamp),
            // No alias: the specification forbids one on the rebirth metric.
            SparkplugMetric(name: rebirthMetricName, dataType: .boolean, value: .boolean(false), timestamp: timestamp),
        ]
        return SparkplugPayload(timestamp: timestamp, seq: 0, metrics: control + stamped(metrics, timestamp))
    }

    /// A DBIRTH: every metric of the device with its name, alias, datatype, properties and current value.
    public static func deviceBirth(seq: UInt8, timestamp: UInt64, metrics: [SparkplugMetric]) -> SparkplugPayload {
        SparkplugPayload(timestamp: timestamp, seq: UInt64(seq), metrics: stamped(metrics, timestamp))
    }

    /// An NDATA or DDATA: the changed metrics by alias only (no name, datatype or properties; a metric without an
    /// alias keeps its name).
    public static func data(seq: UInt8, timestamp: UInt64, metrics: [SparkplugMetric]) -> SparkplugPayload {
        let slim = stamped(metrics, timestamp).map { metric in
            var slim = SparkplugMetric(name: metric.alias == nil ? metric.name : nil, alias: metric.alias, value: metric.value,
                                       timestamp: metric.timestamp, isHistorical: metric.isHistorical, isTransient: metric.isTransient)
            slim.dataType = nil  // `init` takes it from the value; data messages leave it out
            return slim
        }
        return SparkplugPayload(timestamp: timestamp, seq: UInt64(seq), metrics: slim)
    }

    /// An NDEATH (the edge node's MQTT will): only the `bdSeq` metric, no seq.
    public static func nodeDeath(bdSeq: UInt8, timestamp: UInt64? = nil) -> SparkplugPayload {
        SparkplugPayload(timestamp: timestamp, metrics: [SparkplugMetric(name: bdSeqMetricName, dataType: .int64, value: .int64(Int64(bdSeq)))])
    }

    /// A DDEATH: no metrics, the next seq.
    public static func deviceDeath(seq: UInt8, timestamp: UInt64) -> SparkplugPayload {
        SparkplugPayload(timestamp: timestamp, seq: UInt64(seq), metrics: [])
    }

    /// An NCMD asking the edge node for a new NBIRTH and every DBIRTH (`Node Control/Rebirth` = true).
    public static func rebirthRequest(timestamp: UInt64) -> SparkplugPayload {
        command(timestamp: timestamp, metrics: [SparkplugMetric(name: rebirthMetricName, dataType: .boolean, value: .boolean(true))])
    }

    /// An NCMD or DCMD writing metrics (by name, with datatype and value); no seq.
    public static func command(timestamp: UInt64, metrics: [SparkplugMetric]) -> SparkplugPayload {
        SparkplugPayload(timestamp: timestamp, metrics: metrics)
    }

    private static func stamped(_ metrics: [SparkplugMetric], _ timestamp: UInt64) -> [SparkplugMetric] {
        metrics.map { metric in
            var metric = metric
            if metric.timestamp == nil { metric.timestamp = timestamp }
            return metric
        }
    }
}
