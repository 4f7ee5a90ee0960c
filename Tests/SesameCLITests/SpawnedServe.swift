import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `sesame serve` started with `posix_spawn`, for the tests that signal it. A Foundation `Process` started from a
/// test thread inherits that thread's blocked signals, so SIGTERM would never arrive; here the child starts with no
/// signal blocked and every handler at its default, reads nothing and writes both streams to `log`.
struct SpawnedServe {
    let pid: pid_t
    let port: Int
    let log: URL

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    static func start(data: URL, environment: [String: String] = [:]) async throws -> SpawnedServe {
        let log = try TemporaryFolder.make().appendingPathComponent("serve.log")
        let pid = try spawn(["serve", "--port", "0"], environment: ["SESAME_DATA_DIR": data.path].merging(environment) { $1 }, log: log)
        for _ in 0..<600 {  // up to 30 s: a loaded machine is slow to start a process
            try await Task.sleep(for: .milliseconds(50))
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let match = text.firstMatch(of: /http:\/\/127\.0\.0\.1:(\d+)/), let port = Int(match.output.1) {
                return SpawnedServe(pid: pid, port: port, log: log)
            }
        }
        kill(pid, SIGKILL)
        throw Failed(description: "serve did not report its address: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    }

    /// The exit status once the process has exited, or `nil` (and the process killed) if it still runs after `limit`.
    func exitStatus(within limit: Duration) async throws -> Int32? {
        let deadline = ContinuousClock.now + limit
        var status: Int32 = 0
        while ContinuousClock.now < deadline {
            if waitpid(pid, &status, WNOHANG) == pid {
                // WIFEXITED and WEXITSTATUS, which Swift does not import: an exit leaves the low 7 bits clear.
                return status & 0x7f == 0 ? (status >> 8) & 0xff : -(status & 0x7f)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        kill(pid, SIGKILL)
        _ = waitpid(pid, &status, 0)
        return nil
    }

    private static func spawn(_ arguments: [String], environment: [String: String], log: URL) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([CommandLineRun.binary.path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, CommandLineRun.binary.path, &actions, &attributes, argv, envp)
        guard result == 0 else { throw Failed(description: "posix_spawn: \(String(cString: strerror(result)))") }
        return pid
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
