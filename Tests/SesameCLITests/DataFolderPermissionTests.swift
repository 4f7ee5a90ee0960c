import Foundation
import SesameTestSupport
import Testing

/// The data folder holds the database (password hashes, sessions, sealed messages) and the server secret: created
/// by any command, it is the service account's alone, whatever the umask (docs/security.md#files-on-disk).
@Suite struct DataFolderPermissionTests {
    /// The mode bits of `path`.
    private func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int) & 0o777
    }

    @Test(arguments: [["migrate"], ["user", "add", "bob@contoso.com", "--password", "Yt7$Mx3!Ps9j"]])
    func aCommandCreatesThemPrivateUnderAPermissiveUmask(_ arguments: [String]) throws {
        let data = try TemporaryFolder.make().appendingPathComponent("data")
        // A shell sets the usual permissive umask, so that the test does not depend on the test runner's.
        let shell = try ChildProcess.start(
            "/bin/sh", ["-c", "umask 022; exec \"$0\" \"$@\"", CommandLineRun.binary.path] + arguments,
            environment: ["SESAME_DATA_DIR": data.path, "PATH": "/usr/bin:/bin"])
        #expect(shell.wait() == 0)
        #expect(try mode(data.path) == 0o700)
        let files = try FileManager.default.contentsOfDirectory(atPath: data.path)
        #expect(files.contains("sesame.sqlite") && files.contains("secret.key"))
        for file in files {
            #expect(try mode(data.appendingPathComponent(file).path) == 0o600, "\(file)")
        }
    }
}
