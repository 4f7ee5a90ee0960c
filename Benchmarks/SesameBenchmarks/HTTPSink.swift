import Foundation
import Hummingbird
import NIOCore

/// A local HTTP server that answers 200 to every POST: the SMS provider the benchmarks send to. Given an inbox, it
/// also keeps each message's code for its number, so that a load generator can type it.
struct HTTPSink {
    let url: String

    static func start(port: Int = 0, inbox: CodeInbox? = nil) async throws -> HTTPSink {
        let router = Router()
        router.post("sms") { request, _ -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 64 * 1024)
            if let inbox, let (number, code) = CodeInbox.parse(String(buffer: body), query: request.uri.query ?? "") {
                await inbox.deliver(code, to: number)
            }
            return .ok
        }
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: quiet)
        Task { try await app.runService() }
        var ports = stream.makeAsyncIterator()
        return HTTPSink(url: "http://127.0.0.1:\(await ports.next()!)/sms")
    }
}

/// The codes the sink received, by phone number (digits only), waited for by whoever asked for them.
actor CodeInbox {
    private var codes: [String: [String]] = [:]
    private var waiting: [String: [(id: UUID, continuation: CheckedContinuation<String?, Never>)]] = [:]

    func deliver(_ code: String, to number: String) {
        if let first = waiting[number]?.first {
            waiting[number]?.removeFirst()
            first.continuation.resume(returning: code)
        } else {
            codes[number, default: []].append(code)
        }
    }

    /// The next code sent to `number`, or `nil` after `limit`.
    func next(for number: String, within limit: Duration) async -> String? {
        let number = Self.digits(number)
        if let code = codes[number]?.first {
            codes[number]?.removeFirst()
            return code
        }
        let id = UUID()
        Task { try? await Task.sleep(for: limit); self.timeOut(id, number) }
        return await withCheckedContinuation { waiting[number, default: []].append((id, $0)) }
    }

    private func timeOut(_ id: UUID, _ number: String) {
        guard let index = waiting[number]?.firstIndex(where: { $0.id == id }) else { return }
        waiting[number]?.remove(at: index).continuation.resume(returning: nil)
    }

    static func digits(_ number: String) -> String {
        String(number.filter(\.isASCII).filter(\.isNumber))
    }

    /// The number and the code of a provider request: Sesame's webhook posts JSON (`to`, `text`); privacyIDEA's HTTP
    /// gateway posts a form or a query (`phone`, `text`).
    static func parse(_ body: String, query: String) -> (number: String, code: String)? {
        var fields: [String: String] = [:]
        if let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] {
            for (key, value) in object { fields[key] = "\(value)" }
        } else {
            for pair in (body + "&" + query).split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
                if parts.count == 2 { fields[parts[0]] = parts[1] }
            }
        }
        guard let number = ["to", "phone", "number", "recipient", "mobile"].lazy.compactMap({ fields[$0] }).first,
            let text = ["text", "message", "msg", "body"].lazy.compactMap({ fields[$0] }).first,
            let code = text.firstSixDigits
        else { return nil }
        return (digits(number), code)
    }
}
