import Foundation
import Logging

/// How Sesame writes its log lines (`SESAME_LOG_FORMAT`, docs/operations.md#logs).
public enum LogFormat: String, Sendable, CaseIterable {
    /// swift-log's usual line: `time level label: key=value … [source] message`.
    case text
    /// One JSON object a line: `time`, `level`, `label`, `message`, `request_id` when a request logged it, and
    /// `metadata`.
    case json
}

/// Every logger of the process writes through this handler once `sesame` has read its configuration: one line per
/// event, in text or JSON, to standard error (tests give their own `write`).
public struct SesameLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let format: LogFormat
    private let write: @Sendable (String) -> Void

    /// Hummingbird's key for the request's ID, which is also the support code a page shows (docs/behaviour.md#conventions).
    static let requestIDKey = "hb.request.id"

    public init(
        label: String, format: LogFormat, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil,
        write: @escaping @Sendable (String) -> Void = Self.standardError
    ) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.write = write
    }

    /// One `write` per line, so that lines from several threads do not interleave.
    public static let standardError: @Sendable (String) -> Void = { line in
        try? FileHandle.standardError.write(contentsOf: Data((line + "\n").utf8))
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata.merging(metadataProvider?.get() ?? [:]) { $1 }.merging(event.metadata ?? [:]) { $1 }
        if let error = event.error {
            all["error.message"] = "\(error)"
            all["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        let time = Date.now.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        switch format {
        case .text:
            let pairs = all.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
            write("\(time) \(event.level) \(label):\(pairs) [\(event.source)] \(event.message)")
        case .json:
            let requestID = all.removeValue(forKey: Self.requestIDKey).map(\.description)
            let line = JSONLine(
                time: time, level: event.level.rawValue, label: label, message: event.message.description, requestID: requestID,
                metadata: all.mapValues(JSONValue.init))
            write(String(decoding: (try? Self.encoder.encode(line)) ?? Data(), as: UTF8.self))
        }
    }

    private static let encoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    private struct JSONLine: Encodable {
        let time, level, label, message: String
        let requestID: String?
        let metadata: [String: JSONValue]

        enum CodingKeys: String, CodingKey {
            case time, level, label, message, metadata
            case requestID = "request_id"
        }
    }

    /// A metadata value as JSON: strings, arrays and objects as they are, anything else as its description.
    private enum JSONValue: Encodable {
        case string(String)
        case array([JSONValue])
        case object([String: JSONValue])

        init(_ value: Logger.MetadataValue) {
            switch value {
            case .string(let text): self = .string(text)
            case .stringConvertible(let item): self = .string(item.description)
            case .array(let items): self = .array(items.map(JSONValue.init))
            case .dictionary(let items): self = .object(items.mapValues(JSONValue.init))
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let text): try container.encode(text)
            case .array(let items): try container.encode(items)
            case .object(let items): try container.encode(items)
            }
        }
    }
}
