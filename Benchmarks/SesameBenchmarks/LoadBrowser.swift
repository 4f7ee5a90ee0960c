import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// What `sesame-bench http` sends as one person's browser would: it keeps its cookies, sends back the CSRF token of
/// the last page that had one, follows redirects, and comes from an address of its own (`X-Forwarded-For`, which the
/// server believes from its loopback proxy, as behind nginx), so that no per-address throttle sees the whole load
/// as one visitor. One task drives a browser at a time.
struct LoadBrowser {
    let client: HTTPClient
    let base: String
    let address: String
    private(set) var cookies: [String: String] = [:]
    private(set) var csrf: String?

    init(client: HTTPClient, base: String, address: String) {
        self.client = client
        self.base = base
        self.address = address
    }

    /// A page: its status, where it redirects, and its text.
    struct Page {
        let status: Int
        let location: String?
        let body: String
    }

    struct Unexpected: Error, CustomStringConvertible {
        let description: String
    }

    mutating func get(_ path: String) async throws -> Page {
        try await send(.GET, path, body: nil)
    }

    /// Posts a form with the CSRF token, and follows the redirects it answers with (up to five).
    mutating func post(_ path: String, _ fields: [String: String]) async throws -> Page {
        var page = try await send(.POST, path, body: LoadBrowser.encode(fields.merging(["_csrf": csrf ?? ""]) { new, _ in new }))
        for _ in 0..<5 {
            guard (300..<400).contains(page.status), let location = page.location else { return page }
            page = try await get(location)
        }
        return page
    }

    private mutating func send(_ method: HTTPMethod, _ path: String, body: String?) async throws -> Page {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "X-Forwarded-For", value: address)
        request.headers.add(name: "Accept-Language", value: "en")
        if !cookies.isEmpty {
            request.headers.add(name: "Cookie", value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        for value in response.headers["Set-Cookie"] {
            let pair = value.prefix { $0 != ";" }.split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2 { cookies[pair[0]] = pair[1] }
        }
        let text = String(buffer: try await response.body.collect(upTo: 4 * 1024 * 1024))
        if let token = text.value(after: #"name="_csrf" value=""#) { csrf = token }
        return Page(status: Int(response.status.code), location: response.headers.first(name: "Location"), body: text)
    }

    /// `application/x-www-form-urlencoded`, every byte but the unreserved ones escaped.
    static func encode(_ fields: [String: String]) -> String {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return fields.map { key, value in
            "\(key.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "")=\(value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "")"
        }.joined(separator: "&")
    }
}
