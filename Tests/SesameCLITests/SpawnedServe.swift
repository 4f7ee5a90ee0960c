import Foundation
import SesameTestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A running `sesame serve` on a free port: its process (started with no blocked signal, so SIGTERM lands), its log
/// (both streams) and its data folder.
struct SpawnedServe {
    let child: ChildProcess
    let port: Int
    let log: URL
    let data: URL

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    static func start(_ arguments: [String] = [], data: URL, environment: [String: String] = [:]) async throws -> SpawnedServe {
        let log = try TemporaryFolder.make().appendingPathComponent("serve.log")
        let child = try ChildProcess.start(
            CommandLineRun.binary.path, ["serve", "--port", "0"] + arguments,
            environment: ["SESAME_DATA_DIR": data.path].merging(environment) { $1 }, output: .file(log.path), errors: .file(log.path))
        for _ in 0..<600 {  // up to 30 s: a loaded machine is slow to start a process
            try await Task.sleep(for: .milliseconds(50))
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let match = text.firstMatch(of: /http:\/\/127\.0\.0\.1:(\d+)/), let port = Int(match.output.1) {
                return SpawnedServe(child: child, port: port, log: log, data: data)
            }
        }
        child.stop()
        throw Failed(description: "serve did not report its address: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    }

    func ready() async throws -> (Int, String) {
        let (body, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/health/ready")!)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: body, as: UTF8.self))
    }

    /// The exit status once the server has exited, or `nil` (and the server killed) if it still runs after `limit`.
    func exitStatus(within limit: Duration) async throws -> Int32? {
        try await child.exitStatus(within: limit)
    }

    func stop() {
        child.stop()
    }
}

/// A loopback TCP socket, either end: a listener that never accepts (a server that takes the connection and never
/// says a word) or a client that writes a request in pieces.
final class RawSocket {
    let descriptor: Int32

    private init(_ descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private static func socket() throws -> Int32 {
        // Close-on-exec: the servers the test starts must not hold it.
        let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw SpawnedServe.Failed(description: "socket: \(errno)") }
        return descriptor
    }

    /// Listens on a free loopback port; connections wait in the backlog, never accepted.
    static func silentListener() throws -> (RawSocket, port: Int) {
        let raw = RawSocket(try socket())
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(raw.descriptor, $0, length) == 0 && listen(raw.descriptor, 8) == 0 && getsockname(raw.descriptor, $0, &length) == 0 }
        }
        guard bound else { throw SpawnedServe.Failed(description: "listen: \(errno)") }
        return (raw, Int(UInt16(bigEndian: address.sin_port)))
    }

    static func connect(port: Int) throws -> RawSocket {
        let raw = RawSocket(try socket())
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(raw.descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { throw SpawnedServe.Failed(description: "connect: \(errno)") }
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(raw.descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return raw
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard Glibc.send(descriptor, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { throw SpawnedServe.Failed(description: "send: \(errno)") }
    }

    /// Everything the peer sends until it closes the connection (or 15 s pass).
    func readToEnd() -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            received += buffer.prefix(count)
        }
        return String(decoding: received, as: UTF8.self)
    }
}
