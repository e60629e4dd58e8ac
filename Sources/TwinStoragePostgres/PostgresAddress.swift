import Foundation
import PostgresNIO

/// A PostgreSQL database named by a URL: `postgres://user[:password]@host[:port]/database`, with `?sslmode=disable`
/// (the default on loopback), `prefer` (the default elsewhere) or `require`.
struct PostgresAddress: CustomStringConvertible {
    var host: String
    var port: Int
    var user: String
    var password: String?
    var database: String
    var tls: PostgresClient.Configuration.TLS

    /// - Throws: ``PostgresAddressError`` saying what is wrong with the URL.
    init(_ text: String) throws(PostgresAddressError) {
        guard let url = URLComponents(string: text), let scheme = url.scheme, ["postgres", "postgresql"].contains(scheme) else {
            throw PostgresAddressError("a database URL reads postgres://user[:password]@host[:port]/database, not '\(Self.redacted(text))'")
        }
        guard let host = url.host, !host.isEmpty else { throw PostgresAddressError("the database URL names no host") }
        guard let user = url.user, !user.isEmpty else { throw PostgresAddressError("the database URL names no user (postgres://USER@host/database)") }
        let database = String(url.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresAddressError("the database URL names no database (postgres://user@host/DATABASE)")
        }
        self.host = host
        port = url.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        password = url.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database
        let mode = url.queryItems?.first { $0.name == "sslmode" }?.value ?? (["127.0.0.1", "localhost", "::1"].contains(host) ? "disable" : "prefer")
        switch mode {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw PostgresAddressError("sslmode must be disable, prefer or require, not '\(mode)'")
        }
    }

    var configuration: PostgresClient.Configuration {
        PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }

    /// The URL without its password.
    var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    private static func redacted(_ text: String) -> String {
        guard var url = URLComponents(string: text), url.password != nil else { return text }
        url.password = "***"
        return url.string ?? text
    }
}

/// A database URL that cannot be used, and why.
struct PostgresAddressError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
