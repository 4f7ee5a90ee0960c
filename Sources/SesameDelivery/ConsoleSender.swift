import Foundation
import SesameCore
import Synchronization

/// The development outbox: prints every message to standard output, clearly marked, instead of sending it.
/// The configuration refuses it in production, since it shows codes to whoever reads the console.
public final class ConsoleSender: MessageSender {
    private let write: @Sendable (String) -> Void
    private let sent: Mutex<[OutgoingMessage]> = Mutex([])

    /// - Parameter write: where the text goes; standard output by default, unbuffered so that a code shows at once.
    public init(write: @escaping @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }) {
        self.write = write
    }

    public func provider(for channel: CodeChannel) -> String { "console" }

    public func send(_ message: OutgoingMessage) async throws {
        sent.withLock { $0.append(message) }
        var lines = ["──── DEVELOPMENT OUTBOX (not sent) ────", "\(message.channel.rawValue) to \(message.to) [\(message.language.rawValue)]"]
        if let subject = message.subject { lines.append("Subject: \(subject)") }
        lines.append(message.text)
        lines.append("──────────────────────────────────────")
        write(lines.joined(separator: "\n"))
    }

    /// What went through this outbox, oldest first: the demo and tests read codes from here.
    public var messages: [OutgoingMessage] { sent.withLock { $0 } }
}
