extension HostSession {
    /// A sequenced message after the NBIRTH (DBIRTH, NDATA, DDATA, DDEATH): applied when its seq is the next one,
    /// held when it comes early, followed by the held messages it lets through.
    mutating func sequenced(_ message: HostNodeRecord.Held, seq: UInt8, node: EdgeNodeDescriptor, now: UInt64) -> [Action] {
        guard var record = nodes[node], record.online else {
            return requestRebirth(node, reason: "\(message.topic.verb?.rawValue ?? "a message") before an NBIRTH", now: now)
        }
        if record.awaitingRebirth {
            return requestRebirth(node, reason: "still waiting for the NBIRTH asked for", now: now)
        }
        guard seq == record.lastSeq &+ 1 else {
            record.held[seq] = message
            if record.gapSince == nil { record.gapSince = now }
            nodes[node] = record
            return []
        }
        var actions: [Action] = []
        var next: HostNodeRecord.Held? = message
        var nextSeq = seq
        while let current = next {
            record.lastSeq = nextSeq
            record.held[nextSeq] = nil
            nodes[node] = record
            actions += apply(current, node: node, now: now)
            guard let updated = nodes[node], updated.online, !updated.awaitingRebirth else { return actions }
            record = updated
            nextSeq = record.lastSeq &+ 1
            next = record.held[nextSeq]
        }
        // The timer ends when every held message went through; a gap still open keeps its start.
        if record.held.isEmpty { record.gapSince = nil }
        nodes[node] = record
        return actions
    }

    /// Asks for a rebirth of every node whose gap has stayed open for the reorder timeout.
    mutating func expire(_ now: UInt64) -> [Action] {
        // Every message passes here: look at the nodes without copying or sorting them, and sort only the expired ones.
        var expired: [(node: EdgeNodeDescriptor, since: UInt64, missing: UInt8)] = []
        for (node, record) in nodes {
            guard let since = record.gapSince, now >= since, now - since >= configuration.reorderTimeout else { continue }
            expired.append((node, since, record.lastSeq &+ 1))
        }
        var actions: [Action] = []
        for gap in expired.sorted(by: { $0.node.description < $1.node.description }) {
            actions += requestRebirth(gap.node, reason: "seq \(gap.missing) missing for \(now - gap.since) ms", now: now, force: true)
        }
        return actions
    }

    /// Publishes an NCMD `Node Control/Rebirth` = true, at most once per reorder timeout per node (unless `force`),
    /// and drops the node's held messages until its NBIRTH.
    mutating func requestRebirth(_ node: EdgeNodeDescriptor, reason: String, now: UInt64, force: Bool = false) -> [Action] {
        if var record = nodes[node] {
            record.held = [:]
            record.gapSince = nil
            record.awaitingRebirth = true
            nodes[node] = record
        }
        if !force, let last = rebirthRequests[node], now >= last, now - last < configuration.reorderTimeout { return [] }
        rebirthRequests[node] = now
        let request = SparkplugPublication(topic: .node(.ncmd, node), payload: SparkplugPayload.rebirthRequest(timestamp: now).encoded())
        return [.publish(request), .rebirthRequested(node, reason: reason)]
    }

    /// Applies one message in sequence.
    private mutating func apply(_ message: HostNodeRecord.Held, node: EdgeNodeDescriptor, now: UInt64) -> [Action] {
        guard var record = nodes[node] else { return [] }
        do {
            switch message.topic {
            case .device(.dbirth, let device):
                let birth = try SparkplugPayload(decoding: message.payload, as: .dbirth)
                let metrics = HostNodeRecord.MetricSet(birth.metrics)
                record.devices[device.deviceID] = (true, metrics)
                nodes[node] = record
                return [.online(.device(device), metrics: updates(birth, metrics, now: now))]
            case .device(.ddeath, let device):
                let death = try SparkplugPayload(decoding: message.payload, as: .ddeath)
                guard let known = record.devices[device.deviceID], known.online else { return [] }
                record.devices[device.deviceID]?.online = false
                nodes[node] = record
                return [.offline(.device(device), at: death.timestamp ?? now, staleMetrics: known.metrics.names)]
            case .node(.ndata, _):
                return try data(message, source: .node(node), metrics: record.metrics, node: node, now: now)
            case .device(.ddata, let device):
                guard let known = record.devices[device.deviceID], known.online else {
                    return requestRebirth(node, reason: "DDATA of '\(device.deviceID)' before its DBIRTH", now: now)
                }
                return try data(message, source: .device(device), metrics: known.metrics, node: node, now: now)
            default:
                return []
            }
        } catch {
            return [.refused(topic: message.text, error)]
        }
    }

    private mutating func data(_ message: HostNodeRecord.Held, source: MetricSource, metrics: HostNodeRecord.MetricSet,
                               node: EdgeNodeDescriptor, now: UInt64) throws(SparkplugError) -> [Action] {
        var unknown: String?
        let verb = message.topic.verb ?? .ndata
        let payload: SparkplugPayload
        do {
            payload = try SparkplugPayload(decoding: message.payload, as: verb) { name, alias in
                if let info = metrics.info(name: name, alias: alias) { return info.dataType }
                if unknown == nil {
                    unknown = name.map { "name '\($0)'" } ?? alias.map { "alias \($0)" } ?? "a metric with neither name nor alias"
                }
                return nil
            }
        } catch {
            // A metric no birth named cannot be typed: that is the edge node's birth out of date, not a bad payload.
            guard let unknown else { throw error }
            return requestRebirth(node, reason: "\(verb) of \(source) has \(unknown), which no birth named", now: now)
        }
        if let unknown {
            return requestRebirth(node, reason: "\(verb) of \(source) has \(unknown), which no birth named", now: now)
        }
        return [.updated(source, updates(payload, metrics, now: now))]
    }

    /// The payload's metrics named, typed and united from the birth (`metrics`); a metric the birth did not name
    /// keeps its own name and type.
    func updates(_ payload: SparkplugPayload, _ metrics: HostNodeRecord.MetricSet, now: UInt64) -> [MetricUpdate] {
        payload.metrics.compactMap { metric in
            let info = metrics.info(name: metric.name, alias: metric.alias)
            guard let name = info?.name ?? metric.name, let dataType = info?.dataType ?? metric.dataType else { return nil }
            return MetricUpdate(name: name, value: metric.value, dataType: dataType, unit: info?.unit ?? metric.properties.engineeringUnit,
                                timestamp: metric.timestamp ?? payload.timestamp ?? now, isHistorical: metric.isHistorical)
        }
    }
}
