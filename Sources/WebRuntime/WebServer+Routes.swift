import FleetView
import Foundation
import Hummingbird
import TwinModel
import WebView

extension WebServer {
    /// The routes: the API under `/api/v1`, the floor view at `/`.
    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.middlewares.add(ProblemMiddleware(counters: counters, logger: logger))
        router.middlewares.add(OriginMiddleware(allowed: Set(options.corsOrigins)))
        let api = router.group("api/v1")
        api.get("twins") { [self] request, _ in try answer { try self.api.twins(query: Self.query(request), in: $0) } }
        api.get("twins/**") { [self] request, context in
            var segments = context.parameters.getCatchAll().map(String.init)
            if segments.count == 5, segments.last == "history" {
                segments.removeLast()
                let path = segments.joined(separator: "/")
                let machine = try WebAPI.machinePath(path)
                let document = fleet.withLock { $0.model.machines[machine] } == nil ? nil : try await histories.document(for: machine)
                return try answer { try self.api.history(path, query: Self.query(request), document: document, in: $0) }
            }
            return try answer { try self.api.twin(segments.joined(separator: "/"), in: $0) }
        }
        api.post("twins/**") { [self] request, context in
            let segments = context.parameters.getCatchAll().map(String.init)
            guard segments.count == 5, segments.last == "commands" else { throw APIProblem.notFound("no such resource: POST \(request.uri.path)") }
            let body = try await Self.body(of: request, limit: self.api.maximumBody)
            return try write(request) { try self.api.command(segments.dropLast().joined(separator: "/"), body: body, in: $0) }
        }
        api.put("twins/**") { [self] request, context in
            let segments = context.parameters.getCatchAll().map(String.init)
            guard segments.count == 5, segments.last == "desired" else { throw APIProblem.notFound("no such resource: PUT \(request.uri.path)") }
            let body = try await Self.body(of: request, limit: self.api.maximumBody)
            return try write(request) { try self.api.desire(segments.dropLast().joined(separator: "/"), body: body, in: $0) }
        }
        api.get("alerts") { [self] request, _ in try answer { try self.api.alerts(query: Self.query(request), in: $0) } }
        api.post("alerts/**") { [self] request, context in
            let segments = context.parameters.getCatchAll().map(String.init)
            guard segments.count == 6, segments.last == "ack" else { throw APIProblem.notFound("no such resource: POST \(request.uri.path)") }
            let body = try await Self.body(of: request, limit: self.api.maximumBody)
            return try write(request) { try self.api.acknowledge(segments[0..<4].joined(separator: "/"), rule: segments[4], body: body, in: $0) }
        }
        api.get("layout") { [self] _, _ in try answer { self.api.layout(in: $0) } }
        api.get("floor.glb") { [self] _, _ in
            let floor = fleet.withLock { self.api.floor(in: $0) }
            return Response(status: .ok, headers: [.contentType: "model/gltf-binary", .cacheControl: "no-store",
                                                   .contentDisposition: "attachment; filename=\"floor.glb\""],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: FloorScene.glb(of: floor))))
        }
        api.get("kinds") { [self] _, _ in Self.response(self.api.kindList()) }
        api.get("kpi") { [self] request, _ in try answer { try self.api.kpi(query: Self.query(request), in: $0) } }
        api.get("events") { [self] request, _ in try events(request) }
        api.get("health") { [self] _, _ in
            let fleet = fleet.withLock { $0 }
            var response = self.api.health(of: fleet, now: Date())
            response.body = Self.addingCounters(to: response.body, refused: counters.refusedByStatus, sent: counters.sentCount,
                                                 streams: counters.streamFigures(feeds: hub.feedCount, outputsDelivered: hub.deliveredCount))
            return Self.response(response)
        }
        router.get("/") { _, _ in try Self.page("index.html") }
        router.get(":file") { _, context in try Self.page(context.parameters.require("file")) }
        return router
    }

    /// A file of the floor view.
    static func page(_ name: String) throws -> Response {
        guard let text = PageFiles.files[name] else { throw APIProblem.notFound("no such page: \(name)") }
        let type = switch name.split(separator: ".").last {
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        default: "text/html; charset=utf-8"
        }
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache",
                                               .contentSecurityPolicy: "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// A read: the fleet as it is now, answered under its lock (documents are shared, not copied).
    private func answer(_ read: (WebFleet) throws -> APIResponse) throws -> Response {
        let result = fleet.withLock { fleet in Result { try read(fleet) } }
        return Self.response(try result.get())
    }

    /// A write: the token checked when writes need one, then the intent sent over MQTT; 202 with its topic.
    private func write(_ request: Request, _ intent: (WebFleet) throws -> FleetIntent) throws -> Response {
        try checkToken(request)
        let result = fleet.withLock { fleet in Result { try intent(fleet) } }
        let chosen = try result.get()
        do {
            try send(chosen)
        } catch {
            throw APIProblem(status: 503, title: "Service Unavailable", detail: "could not send to the broker: \(error)")
        }
        counters.noteSent()
        var json = JSONWriter()
        json.open()
        json.field("sent", bool: true)
        json.field("topic", string: chosen.message(in: options.topics).topic)
        json.close()
        return Self.response(APIResponse(status: 202, body: json.fragment))
    }

    /// Refuses a write without the right bearer token, when writes need one.
    private func checkToken(_ request: Request) throws(APIProblem) {
        guard options.writesNeedToken, let token = options.token else { return }
        let given = request.headers[.authorization].flatMap { header -> Substring? in
            let parts = header.split(separator: " ", maxSplits: 1)
            return parts.count == 2 && parts[0].lowercased() == "bearer" ? parts[1] : nil
        }
        guard let given else {
            throw APIProblem(status: 401, title: "Unauthorized", detail: "writes need a bearer token (Authorization: Bearer …)")
        }
        guard Self.constantTimeEqual(Array(given.utf8), Array(token.utf8)) else {
            throw APIProblem(status: 403, title: "Forbidden", detail: "the bearer token is not this server's")
        }
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The query's parameters (the last value of a repeated one).
    static func query(_ request: Request) -> [String: String] {
        var query: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
        return query
    }

    /// The request's body, at most `limit` bytes (413 beyond).
    static func body(of request: Request, limit: Int) async throws -> [UInt8] {
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIProblem.tooLarge(limit: limit)
        }
    }

    static func response(_ answer: APIResponse) -> Response {
        Response(status: .init(code: answer.status), headers: [.contentType: APIResponse.contentType, .cacheControl: "no-store"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    /// The health document with the server's own counters added.
    static func addingCounters(to document: [UInt8], refused: [Int: Int], sent: Int, streams: [(String, Int)]) -> [UInt8] {
        guard document.last == UInt8(ascii: "}") else { return document }
        var json = JSONWriter()
        json.open()
        json.key("requests_refused")
        json.open()
        for (status, count) in refused.sorted(by: { $0.key < $1.key }) { json.field(String(status), integer: count) }
        json.close()
        json.field("intents_sent", integer: sent)
        json.key("streams")
        json.open()
        for (name, value) in streams { json.field(name, integer: value) }
        json.close()
        json.close()
        // Both objects merged: the counters' members after the document's.
        return Array(document.dropLast()) + [UInt8(ascii: ",")] + Array(json.fragment.dropFirst())
    }
}
