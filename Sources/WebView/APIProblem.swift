import TwinModel

/// An error answer of the web API, written as `application/problem+json` (RFC 9457): the status, a title, what went
/// wrong, and for a bad body or query, where (a JSON pointer or the parameter's name).
public struct APIProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var title: String
    public var detail: String
    /// Where in the request: `/fault` (a JSON pointer into the body), `query:path` (a query parameter).
    public var location: String?

    public init(status: Int, title: String, detail: String, location: String? = nil) {
        self.status = status
        self.title = title
        self.detail = detail
        self.location = location
    }

    public static func notFound(_ detail: String) -> APIProblem { APIProblem(status: 404, title: "Not Found", detail: detail) }
    public static func badRequest(_ detail: String, at location: String? = nil) -> APIProblem {
        APIProblem(status: 400, title: "Bad Request", detail: detail, location: location)
    }
    public static func conflict(_ detail: String) -> APIProblem { APIProblem(status: 409, title: "Conflict", detail: detail) }
    public static func tooLarge(limit: Int) -> APIProblem {
        APIProblem(status: 413, title: "Content Too Large", detail: "the body is larger than \(limit) bytes")
    }

    public var description: String { "\(status) \(title): \(detail)" + (location.map { " (at \($0))" } ?? "") }

    /// The problem document.
    public var document: [UInt8] {
        var json = JSONWriter()
        json.open()
        json.field("type", string: "about:blank")
        json.field("title", string: title)
        json.field("status", integer: status)
        json.field("detail", string: detail)
        if let location { json.field("location", string: location) }
        json.close()
        return json.fragment
    }

    /// Its media type.
    public static let contentType = "application/problem+json"
}

/// A successful answer of the web API: a status and a JSON document.
public struct APIResponse: Sendable, Equatable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int = 200, body: [UInt8]) {
        self.status = status
        self.body = body
    }

    /// Its media type.
    public static let contentType = "application/json"
}
