import Hummingbird
import Logging
import WebView

/// Turns every error of a request into an `application/problem+json` answer (RFC 9457), counted by status: an
/// ``APIProblem`` as it is, Hummingbird's own (an unknown route, a body too large) with their status.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let counters: WebCounters
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as APIProblem {
            return respond(problem)
        } catch let error as any HTTPResponseError {
            let status = Int(error.status.code)
            let detail = status == 404 ? "no such resource: \(request.method) \(request.uri.path)" : (error as? HTTPError)?.body ?? "\(error.status)"
            return respond(APIProblem(status: status, title: error.status.reasonPhrase, detail: detail))
        } catch {
            logger.error("request \(request.method) \(request.uri.path) failed: \(error)")
            // The error's text stays in the log: it may name files, hosts or internals a client has no business with.
            return respond(APIProblem(status: 500, title: "Internal Server Error", detail: "the server failed on \(request.method) \(request.uri.path); its log says why"))
        }
    }

    private func respond(_ problem: APIProblem) -> Response {
        counters.refuse(status: problem.status)
        return Response(status: .init(code: problem.status), headers: [.contentType: APIProblem.contentType, .cacheControl: "no-store"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: problem.document)))
    }
}
