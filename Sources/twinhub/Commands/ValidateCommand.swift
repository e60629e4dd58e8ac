import ArgumentParser
import TwinModel

/// `twinhub validate`: check machine kinds and scenarios.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check machine kinds (twins/) and scenarios (simulations/); print every error as file:line:column: message.",
        discussion: """
            Examples:
              twinhub validate twins simulations rules
              twinhub validate simulations/sheet-metal-job-shop.yaml
            Exits with status 1 if any file has an error.
            """
    )

    @Argument(help: "Files or folders of .yaml files.")
    var paths: [String] = ["twins", "simulations", "rules"]

    func run() throws {
        let report = ModelValidator.validate(paths: paths)
        for error in report.errors {
            print(error.description)
        }
        guard report.errors.isEmpty else {
            throw ExitCode(1)
        }
        let rules = RuleBook(kinds: report.kinds).ruleCount
        print("ok: \(report.kinds.count) kinds with \(rules) alert rules, \(report.scenarios.count) scenarios, \(report.machines) machines, "
              + "\(report.ruleSets.count) rules files")
    }
}
