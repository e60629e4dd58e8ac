import Foundation
import Testing
@testable import WebRuntime

@Suite("The floor view's files")
struct PageFilesTests {
    @Test("The compiled-in page is Sources/WebRuntime/Page/, byte for byte (else run scripts/generate-page)")
    func upToDate() throws {
        let folder = OpenAPIContract.root.appendingPathComponent("Sources/WebRuntime/Page")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(PageFiles.files.keys.sorted() == names)
        for name in names {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            #expect(PageFiles.files[name] == text, "\(name) differs: run scripts/generate-page")
        }
    }
}
