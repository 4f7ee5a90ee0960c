import ArgumentParser
import Foundation
import SesameCore

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Print the registration or reset activity report, or the audit log.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case csv
        case json
    }

    @OptionGroup var store: StoreOptions
    @Argument(help: "registrations, resets or audit") var kind: ReportKind
    @Option(help: "How many days back (any number: there is no 30-day cap).") var days: Int = 30
    @Option(help: "csv or json") var format: Format = .csv
    @Option(help: "Column titles and texts in this language (a BCP 47 tag Sesame speaks: en, fr, de, pt-BR, zh-Hant, …).") var lang: String = "en"

    func validate() throws {
        guard days > 0 else { throw ArgumentParser.ValidationError("--days must be at least 1") }
        guard Language(tag: lang) != nil else {
            throw ArgumentParser.ValidationError("--lang must be one of \(Language.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        try await store.withContext { context in
            let query = ActivityQuery(since: context.clock.now.addingTimeInterval(-Double(days) * 86_400), limit: Int.max)
            let language = Language(tag: lang) ?? .english
            let report = try await context.reports.report(kind, query, language: language)
            switch format {
            case .csv: print(report.csv(in: language), terminator: "")
            case .json: print(try report.json())
            }
        }
    }
}

extension ReportKind: ExpressibleByArgument {}
