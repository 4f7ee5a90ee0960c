import Foundation
import Logging
import Testing

@testable import SesameWeb

/// The two formats of `SESAME_LOG_FORMAT` line by line (docs/operations.md#logs).
@Suite struct LogFormatTests {
    struct Refused: Error, CustomStringConvertible {
        var description: String { "the store refused" }
    }

    /// Logs one warning through a handler in `format`, with a request's ID and nested metadata, and returns its line.
    private func line(_ format: LogFormat, level: Logger.Level = .info) -> [String] {
        let capture = LogCapture(format: format)
        var logger = Logger(label: "sesame") { label in SesameLogHandler(label: label, format: format, level: level, write: capture.append) }
        logger[metadataKey: "hb.request.id"] = "abc123"
        logger.debug("below the level")
        logger.warning(
            "message not sent \"quoted\"", error: Refused(),
            metadata: ["channel": "sms", "attempt": .stringConvertible(2), "to": ["a", "b"], "extra": ["k": "v"]])
        return capture.all
    }

    @Test func jsonIsOneObjectALineWithTheRequestIDOnTop() throws {
        let lines = line(.json)
        try #require(lines.count == 1, "the debug line is below the level")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(object["level"] as? String == "warning")
        #expect(object["label"] as? String == "sesame")
        #expect(object["message"] as? String == "message not sent \"quoted\"")
        #expect(object["request_id"] as? String == "abc123")
        let time = try #require(object["time"] as? String)
        #expect((try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(time)) != nil, "\(time)")
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["hb.request.id"] == nil)
        #expect(metadata["channel"] as? String == "sms" && metadata["attempt"] as? String == "2")
        #expect(metadata["to"] as? [String] == ["a", "b"] && metadata["extra"] as? [String: String] == ["k": "v"])
        #expect(metadata["error.message"] as? String == "the store refused")
        #expect(!lines[0].contains("\n"))
    }

    @Test func textKeepsSwiftLogsUsualLine() throws {
        let lines = line(.text)
        try #require(lines.count == 1)
        let match = try #require(lines[0].wholeMatch(of: /\S+Z warning sesame: (.*) \[SesameWebTests\] message not sent "quoted"/))
        #expect(match.output.1.hasPrefix("attempt=2 channel=sms error.message=the store refused "), "\(lines[0])")
        #expect(match.output.1.hasSuffix(" hb.request.id=abc123 to=[\"a\", \"b\"]"), "\(lines[0])")
    }

    @Test func theLevelIsTheLeastSevereWritten() {
        #expect(line(.text, level: .error).isEmpty)
        #expect(line(.json, level: .trace).count == 2)
    }
}
