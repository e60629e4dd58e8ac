@testable import RuleLanguage
import Testing

private let names: Set<String> = ["value", "unit", "limit", "machine"]

@Suite("Message templates")
struct MessageTemplateTests {
    @Test("Placeholders are filled, missing ones shown as '?'")
    func rendering() throws {
        let text = "Spindle at {value} {unit} (limit {limit}) on {machine}"
        let template = try MessageTemplate.parse(text, placeholders: names)
        let values = ["value": "11500", "unit": "rpm", "limit": "11000", "machine": "cnc-01"]
        #expect(template.render { values[$0] } == "Spindle at 11500 rpm (limit 11000) on cnc-01")
        #expect(template.render { $0 == "machine" ? nil : values[$0] } == "Spindle at 11500 rpm (limit 11000) on ?")
        #expect(template.placeholders == names)
        #expect(template.description == text)
        #expect(template == (try MessageTemplate.parse(text, placeholders: names)))
    }

    @Test("Templates without placeholders, and placeholders next to each other")
    func plain() throws {
        #expect(try MessageTemplate.parse("", placeholders: names).render { _ in "x" } == "")
        let plain = try MessageTemplate.parse("no °C placeholders", placeholders: [])
        #expect(plain.placeholders.isEmpty)
        #expect(plain.render { _ in "x" } == "no °C placeholders")
        let adjacent = try MessageTemplate.parse("{value}{unit}{value}", placeholders: names)
        #expect(adjacent.placeholders == ["value", "unit"])
        #expect(adjacent.render { $0 == "value" ? "1" : "m" } == "1m1")
    }

    @Test("Doubled braces are literal braces")
    func escapes() throws {
        let template = try MessageTemplate.parse("{{value}} is {{{value}}} }}{{", placeholders: names)
        #expect(template.placeholders == ["value"])
        #expect(template.render { _ in "5" } == "{value} is {5} }{")
    }

    @Test("Errors point at the right column", arguments: [
        ("at {valeu}", 5, "unknown placeholder 'valeu'; did you mean 'value'?"),
        ("{speed}", 2, "unknown placeholder 'speed'"),
        ("abc {value", 5, "'{' is not closed"),
        ("{a{value}", 1, "'{' is not closed"),
        ("°C {unit", 4, "'{' is not closed"),
        ("a } b", 3, "'}' without '{'"),
        ("éé}", 3, "'}' without '{'"),
        ("{{}", 3, "'}' without '{'"),
        ("{value}}", 8, "'}' without '{'"),
        ("x {}", 3, "empty placeholder"),
        ("{1value}", 2, "invalid placeholder name '1value'"),
        ("at {va lue}", 5, "invalid placeholder name 'va lue'"),
        ("{ value}", 2, "invalid placeholder name ' value'"),
        ("{välue}", 2, "invalid placeholder name 'välue'"),
    ] as [(String, Int, String)])
    func errorColumns(text: String, column: Int, message: String) {
        do {
            let template = try MessageTemplate.parse(text, placeholders: names)
            Issue.record("'\(text)' parsed as \(template)")
        } catch {
            #expect(error.column == column, "\(text): \(error)")
            #expect(error.message.contains(message), "\(text): \(error)")
        }
    }
}
