import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SesameCore
import SesameDelivery
import SesameStore
import SesameTestSupport
import Synchronization
import Testing

@testable import SesameWeb

/// Keeps every log line Sesame's own handler writes, in the format asked for, at every level.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])
    let format: LogFormat

    init(format: LogFormat = .text) {
        self.format = format
    }

    var logger: Logger { Logger(label: "capture") { label in SesameLogHandler(label: label, format: self.format, level: .trace, write: self.append) } }
    var text: String { lines.withLock { $0.joined(separator: "\n") } }
    var all: [String] { lines.withLock { $0 } }

    func append(_ line: String) { lines.withLock { $0.append(line) } }
}

/// Secrets a test saw, to look for afterwards.
final class Secrets: Sendable {
    private let values = Mutex<[String]>([])
    func add(_ items: String...) { values.withLock { $0 += items } }
    var all: [String] { values.withLock { $0 } }
}

@Suite struct LogHygieneTests {
    /// A whole registration and a whole reset, and not one secret in the logs, in either format
    /// (docs/behaviour.md#conventions).
    @Test(arguments: LogFormat.allCases) func noCodePasswordOrTokenIsEverLogged(_ format: LogFormat) async throws {
        let capture = LogCapture(format: format)
        let harness = try await Harness(logger: capture.logger)
        try await harness.addUser(email: "alice@example.org")
        let secrets = Secrets()
        secrets.add(goodPassword)
        try await harness.browse { browser in
            try await browser.signIn(password: "wrong-password-in-logs?")
            try await browser.signIn()
            // The pre-populated email proves who changes the methods: its code is a secret too.
            try await harness.stepUp(browser, at: "/register/phone")
            secrets.add(try harness.lastCode().code)
            try await browser.get("/register/phone")
            try await browser.post("/register/phone", [("country", "FR"), ("number", "06 12 34 56 78"), ("channel", "sms")])
            let registration = try harness.lastCode().code
            secrets.add(registration)
            try await browser.post("/register/verify", [("code", registration)])
            try await browser.get("/register/questions")
            try await browser.post("/register/questions", [("question1", "p1"), ("answer1", "Zanzibar"), ("question2", "p2"), ("answer2", "Quimper"), ("question3", "p3"), ("answer3", "Ouessant")])
            secrets.add("Zanzibar", "Quimper", "Ouessant", "zanzibar")
            try await browser.post("/signout", [])
            let start = try await browser.get("/reset")
            let token = try #require(start.body.firstMatch(of: /name="captcha" value="([^"]*)"/).map { String($0.output.1) })
            secrets.add(token)
            try await browser.startReset("alice@contoso.com")
            try await browser.post("/reset/option", [("option", "email")])
            let resetCode = try harness.lastCode().code
            secrets.add(resetCode)
            try await browser.post("/reset/code", [("code", "999999" == resetCode ? "999998" : "999999")])
            try await browser.post("/reset/code", [("code", resetCode)])
            try await browser.post("/reset/password", [("new", "Yt7$Mx3!Ps9j"), ("confirm", "Yt7$Mx3!Ps9j")])
            secrets.add("Yt7$Mx3!Ps9j", "wrong-password-in-logs?", try #require(browser.cookie("sesame_session")))
            // The reset notice's "This wasn't me" link, followed and confirmed.
            try await eventually { harness.outbox.messages.contains { $0.text.contains(ReportLinks.path) } }
            let notice = try #require(harness.outbox.messages.first { $0.text.contains(ReportLinks.path) })
            let link = try #require(notice.text.firstMatch(of: /\/wasnt-me\/([A-Za-z0-9_-]{43})/).map { String($0.output.1) })
            secrets.add(link)
            try await browser.get("\(ReportLinks.path)\(link)")
            // As a proxy that strips a prefix writes it: the router still takes it to the link, the log still hides it.
            try await browser.get("/\(ReportLinks.path)\(link)")
            #expect(try await browser.post("\(ReportLinks.path)\(link)", []).contains("Thank you for telling us"))
        }
        // JSON escapes some characters: the values are searched as written and as read back.
        let logs = format == .json ? capture.text + "\n" + (try Self.decodedValues(capture.all)) : capture.text
        #expect(logs.contains("/reset/password") && logs.contains("/wasnt-me/(token)"), "the requests were logged")
        #expect(format == .text || capture.all.contains { $0.contains("\"request_id\":") }, "a request's lines carry its ID")
        #expect(secrets.all.count == 13)
        for secret in secrets.all {
            #expect(!logs.contains(secret), "a secret reached the logs")
        }
    }

    /// Every string in the JSON lines, one a line; each line must be a JSON object with the fields the format promises.
    static func decodedValues(_ lines: [String]) throws -> String {
        func strings(_ value: Any) -> [String] {
            switch value {
            case let text as String: [text]
            case let items as [Any]: items.flatMap(strings)
            case let object as [String: Any]: object.flatMap { [$0.key] + strings($0.value) }
            default: []
            }
        }
        var values: [String] = []
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            for key in ["time", "level", "label", "message"] { #expect(object[key] is String, "\(key) in \(line)") }
            #expect(object["metadata"] is [String: Any], "\(line)")
            values += strings(object)
        }
        return values.joined(separator: "\n")
    }
}
