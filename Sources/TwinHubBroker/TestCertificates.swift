import Foundation

/// A throwaway certificate authority with a server certificate for `localhost`/127.0.0.1 and a client
/// certificate, generated with `openssl` at run time. For tests and local demos only.
public struct TestCertificates: Sendable {
    public let caCertificate: URL
    public let serverCertificate: URL
    public let serverKey: URL
    public let clientCertificate: URL
    public let clientKey: URL

    /// Generates the CA, server and client certificates (RSA 2048, valid one day) in `folder`.
    public static func generate(in folder: URL) throws -> TestCertificates {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        func file(_ name: String) -> URL { folder.appendingPathComponent(name) }
        let certificates = TestCertificates(
            caCertificate: file("ca.crt"), serverCertificate: file("server.crt"), serverKey: file("server.key"),
            clientCertificate: file("client.crt"), clientKey: file("client.key"))
        let caKey = file("ca.key")
        try BrokerExecutables.run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                                              "-subj", "/CN=TwinHub Test CA", "-keyout", caKey.path, "-out", certificates.caCertificate.path])
        try sign(name: "server", subject: "/CN=localhost", extensions: "subjectAltName=DNS:localhost,IP:127.0.0.1",
                 key: certificates.serverKey, certificate: certificates.serverCertificate, caKey: caKey, ca: certificates.caCertificate, folder: folder)
        try sign(name: "client", subject: "/CN=twinhub-client", extensions: "extendedKeyUsage=clientAuth",
                 key: certificates.clientKey, certificate: certificates.clientCertificate, caKey: caKey, ca: certificates.caCertificate, folder: folder)
        return certificates
    }

    private static func sign(name: String, subject: String, extensions: String, key: URL, certificate: URL, caKey: URL, ca: URL, folder: URL) throws {
        let request = folder.appendingPathComponent("\(name).csr")
        let extensionFile = folder.appendingPathComponent("\(name).ext")
        try extensions.write(to: extensionFile, atomically: true, encoding: .utf8)
        try BrokerExecutables.run("openssl", ["req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", key.path, "-out", request.path])
        try BrokerExecutables.run("openssl", ["x509", "-req", "-in", request.path, "-CA", ca.path, "-CAkey", caKey.path, "-CAcreateserial",
                                              "-days", "1", "-extfile", extensionFile.path, "-out", certificate.path])
    }
}
