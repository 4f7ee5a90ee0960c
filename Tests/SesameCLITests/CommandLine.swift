import Foundation
import SesameTestSupport

/// Runs the built `sesame` binary, as an operator's script would.
struct CommandLineRun {
    let status: Int32
    let standardOutput: String
    let standardError: String

    /// The binary sits next to the test bundle in the build folder.
    static let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("sesame")

    static func run(_ arguments: [String], data: URL, environment: [String: String] = [:]) throws -> CommandLineRun {
        let folder = try TemporaryFolder.make()
        let outputURL = folder.appendingPathComponent("stdout")
        let errorURL = folder.appendingPathComponent("stderr")
        // Files rather than pipes: nothing can fill up and block the child.
        let child = try ChildProcess.start(
            binary.path, arguments, environment: ["SESAME_DATA_DIR": data.path, "PATH": "/usr/bin:/bin"].merging(environment) { _, new in new },
            output: .file(outputURL.path), errors: .file(errorURL.path))
        return CommandLineRun(
            status: child.wait(),
            standardOutput: try String(contentsOf: outputURL, encoding: .utf8),
            standardError: try String(contentsOf: errorURL, encoding: .utf8))
    }
}

extension CommandLineRun {
    /// `run` on a thread of its own, so that waiting for the binary does not hold one of the few threads async tests
    /// share.
    static func runAside(_ arguments: [String], data: URL, environment: [String: String] = [:]) async throws -> CommandLineRun {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try run(arguments, data: data, environment: environment) }) }
        }
    }
}

enum TemporaryFolder {
    static func make() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sesame-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
