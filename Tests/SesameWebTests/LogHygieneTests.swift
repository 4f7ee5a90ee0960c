import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SesameCore
import SesameDelivery
import SesameStore
import Synchronization
import Testing

@testable import SesameWeb

/// Keeps every log line, with its metadata, at every level.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var logger: Logger { Logger(label: "capture") { _ in Handler(capture: self) } }
    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    func append(_ line: String) { lines.withLock { $0.append(line) } }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
            capture.append("\(event.level) \(event.message) \(all) \(event.error.map { "\($0)" } ?? "")")
        }
    }
}

/// Secrets a test saw, to look for afterwards.
final class Secrets: Sendable {
    private let values = Mutex<[String]>([])
    func add(_ items: String...) { values.withLock { $0 += items } }
    var all: [String] { values.withLock { $0 } }
}

@Suite struct LogHygieneTests {
    /// A whole registration and a whole reset, and not one secret in the logs (docs/behaviour.md#conventions).
    @Test func noCodePasswordOrTokenIsEverLogged() async throws {
        let capture = LogCapture()
        let harness = try await Harness(logger: capture.logger)
        try await harness.addUser(email: "alice@example.org")
        let secrets = Secrets()
        secrets.add(goodPassword)
        try await harness.browse { browser in
            try await browser.signIn(password: "wrong-password-in-logs?")
            try await browser.signIn()
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
        }
        let logs = capture.text
        #expect(logs.contains("/reset/password"), "the requests were logged")
        #expect(secrets.all.count == 11)
        for secret in secrets.all {
            #expect(!logs.contains(secret), "a secret reached the logs")
        }
    }
}
