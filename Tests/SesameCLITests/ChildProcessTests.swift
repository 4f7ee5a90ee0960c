import Foundation
import SesameTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The way the tests start processes: a child inherits none of the test process's descriptors, however many are
/// open (Foundation's `Process` crashed listing them once there were about 1,300), and no blocked signal.
@Suite struct ChildProcessTests {
    @Test func aChildInheritsNoDescriptorEvenWithThousandsOpen() throws {
        let opened = (0..<2_000).map { _ in open("/dev/null", O_RDONLY) }  // not close-on-exec
        defer { opened.filter { $0 >= 0 }.forEach { close($0) } }
        try #require(opened.allSatisfy { $0 >= 0 })
        let folder = try TemporaryFolder.make()
        let listing = folder.appendingPathComponent("descriptors").path
        let shell = try ChildProcess.start("/bin/sh", ["-c", "ls /proc/$$/fd"], output: .file(listing))
        #expect(shell.wait() == 0)
        let descriptors = try String(contentsOfFile: listing, encoding: .utf8).split(separator: "\n").compactMap { Int($0) }
        #expect(descriptors.sorted() == [0, 1, 2], "\(descriptors)")
    }

    @Test func aChildStartsWithNoBlockedSignal() throws {
        var blocked = sigset_t()
        var previous = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        let sleeper = try ChildProcess.start("/bin/sleep", ["30"])
        sleeper.signal(SIGTERM)
        #expect(sleeper.wait() == -SIGTERM)
    }
}
