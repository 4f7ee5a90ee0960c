import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A process the tests start (the `sesame` binary, scripts/postgres, a shell, oathtool), with `posix_spawn`.
///
/// Not Foundation's `Process`, for three reasons seen in these tests:
/// - its `run()` lists /proc/self/fd to close what the child should not inherit, copying each entry's whole 256-byte
///   name out of `readdir`'s buffer; with about 1,300 descriptors open the last copy ran off the buffer's page and
///   the test process died (SIGSEGV in `memcpy`). Here the child closes everything above standard error itself;
/// - a child inherits the blocked signals of the test thread that started it, so SIGTERM never landed. Here it starts
///   with no signal blocked and every handler at its default;
/// - waiting for a child needed a run loop. Here `waitpid` waits for it alone.
///
/// Its standard input is /dev/null.
public struct ChildProcess: Sendable {
    public let id: pid_t

    /// Where standard output or standard error go.
    public enum Output: Sendable {
        case discarded
        /// A file, created private if missing, appended to (so two streams can share it).
        case file(String)
        /// A descriptor of the caller's, such as a pipe's writing end, which the caller closes after `start`.
        case descriptor(Int32)
    }

    public struct Failed: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts `executable` with `arguments` (without the program name), in `environment` (this process's if `nil`).
    public static func start(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                             output: Output = .discarded, errors: Output = .discarded) throws -> ChildProcess {
        guard let closeFrom = addCloseFrom else {
            throw Failed(description: "posix_spawn_file_actions_addclosefrom_np is missing: the tests need glibc 2.34 or later")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        for (target, output) in [(Int32(1), output), (2, errors)] {
            switch output {
            case .discarded: posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
            case .file(let path): posix_spawn_file_actions_addopen(&actions, target, path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
            case .descriptor(let descriptor): posix_spawn_file_actions_adddup2(&actions, descriptor, target)
            }
        }
        guard closeFrom(&actions, 3) == 0 else { throw Failed(description: "posix_spawn_file_actions_addclosefrom_np failed") }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        var all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw Failed(description: "\(executable): \(String(cString: strerror(result)))") }
        return ChildProcess(id: pid)
    }

    /// Waits for the child to end: its exit status, or minus the signal that ended it. Once only.
    public func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(id, &status, 0) == -1, errno == EINTR {}
        return Self.decode(status)
    }

    /// The exit status (as `wait`) once the child has ended, or `nil`, and the child killed, if it still runs after
    /// `limit`.
    public func exitStatus(within limit: Duration) async throws -> Int32? {
        let deadline = ContinuousClock.now + limit
        var status: Int32 = 0
        while ContinuousClock.now < deadline {
            if waitpid(id, &status, WNOHANG) == id { return Self.decode(status) }
            try await Task.sleep(for: .milliseconds(20))
        }
        stop()
        return nil
    }

    public func signal(_ signal: Int32) {
        kill(id, signal)
    }

    /// Kills the child and waits for it.
    public func stop() {
        signal(SIGKILL)
        _ = wait()
    }

    /// WIFEXITED, WEXITSTATUS and WTERMSIG, which Swift does not import: an exit leaves the low 7 bits clear.
    private static func decode(_ status: Int32) -> Int32 {
        status & 0x7f == 0 ? (status >> 8) & 0xff : -(status & 0x7f)
    }
}

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34), which Swift's Glibc module does not import.
private let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? =
    dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map {  // nil: RTLD_DEFAULT
        unsafeBitCast($0, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }
