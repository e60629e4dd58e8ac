import Hummingbird
import WebView

/// Who may call the API from a browser page. A page served by this server may do anything; a page served elsewhere
/// may read, and also write when its origin was given with `--cors-origin` (it then gets the CORS headers). Writes
/// from any other origin are refused (403), and so are writes whose body is not declared JSON (415): no web page a
/// user happens to visit can command the plant through a server on loopback, where writes need no token.
struct OriginMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowed: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // A page's origin when there is one (a client library may add an Origin of its own beside it).
        let origin = request.headers[values: .origin].first(where: Self.isPage) ?? request.headers[.origin]
        let listed = origin.map(allowed.contains) ?? false
        if request.method == .options, let origin, listed {
            return Response(status: .noContent, headers: [
                .accessControlAllowOrigin: origin, .vary: "Origin", .accessControlAllowMethods: "GET, POST, PUT, OPTIONS",
                .accessControlAllowHeaders: "Content-Type, Authorization", .accessControlMaxAge: "600",
            ])
        }
        if request.method != .get && request.method != .head {
            if let origin, !listed, Self.isPage(origin), !Self.isSameOrigin(origin, as: request) {
                throw APIProblem(status: 403, title: "Forbidden",
                                 detail: "a write from the page of \(origin.prefix(128)) is refused (allow its origin with --cors-origin)")
            }
            guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true else {
                throw APIProblem(status: 415, title: "Unsupported Media Type", detail: "a write's body is JSON: send Content-Type: application/json")
            }
        }
        var response = try await next(request, context)
        if let origin, listed {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.vary] = "Origin"
        }
        return response
    }

    /// Whether `origin` is a browser page's: `http://…`, `https://…`, or `null` (a page from a file or a sandbox).
    /// Other clients may send what they like (a WebSocket library sends `ws://host`); they are not pages a user visits.
    static func isPage(_ origin: String) -> Bool {
        origin == "null" || origin.hasPrefix("http://") || origin.hasPrefix("https://")
    }

    /// Whether `origin` (`http://host:port`) is the server the request came to.
    static func isSameOrigin(_ origin: String, as request: Request) -> Bool {
        guard let host = request.head.authority else { return false }
        let bare = origin.split(separator: "://", maxSplits: 1).last.map(String.init) ?? origin
        return bare == host
    }

    /// Whether a WebSocket upgrade from `request` may go ahead: from this server's page, an allowed origin, or not a
    /// browser page at all.
    static func mayUpgrade(_ request: Request, allowed: Set<String>) -> Bool {
        // Every Origin given (a client library may add its own beside a page's).
        request.headers[values: .origin].allSatisfy { origin in
            !isPage(origin) || allowed.contains(origin) || isSameOrigin(origin, as: request)
        }
    }
}
