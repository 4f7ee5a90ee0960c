import CFuzzDriver

#if canImport(Glibc)
import Glibc
#endif

/// One parser of outside bytes and what must hold whatever the bytes are (docs/security.md#fuzzing).
struct FuzzTarget: Sendable {
    let name: String
    let run: @Sendable ([UInt8]) -> Void
}

/// Every target, by name. `scripts/fuzz` runs each with its seed corpus in `Fuzz/Corpus/NAME`.
let targets: [FuzzTarget] = webTargets + coreTargets + deliveryTargets + directoryTargets

/// A property that failed: stops the run the way a trap would, so that libFuzzer keeps the input.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    guard !condition else { return }
    printError("property violated: \(message())")
    abort()
}

/// Writes a line to standard error (file descriptor 2, not the C global, which Swift 6 treats as shared state).
func printError(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

/// libFuzzer calls back through a C function pointer, which cannot capture; the chosen target is set once before
/// the loop starts and only read after, on libFuzzer's one thread.
nonisolated(unsafe) private var selected: FuzzTarget?

/// The callback, also under libFuzzer's conventional name, which its runtime library refers to.
@_cdecl("LLVMFuzzerTestOneInput")
func callback(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    selected?.run(bytes)
    return 0
}

/// `sesame-fuzz TARGET [libFuzzer options and corpus folders]`, or `sesame-fuzz --list`. SwiftPM links an executable
/// with `main` as an alias of `<Module>_main` and libFuzzer brings no `main` of its own when one exists, so this
/// function is the program's entry point; it hands the rest of the command line to libFuzzer.
@_cdecl("SesameFuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    let arguments = (0..<Int(argc)).map { argv?[$0].map { String(cString: $0) } ?? "" }
    guard let name = arguments.dropFirst().first, name != "--list" else {
        print(targets.map(\.name).joined(separator: "\n"))
        return arguments.count > 1 ? 0 : 2
    }
    guard let target = targets.first(where: { $0.name == name }) else {
        printError("no fuzz target \(name); sesame-fuzz --list names them")
        return 2
    }
    selected = target
    // libFuzzer sees the program name and what follows the target's name.
    var kept: [UnsafeMutablePointer<CChar>?] = [argv?[0]] + (2..<max(2, Int(argc))).map { argv?[$0] } + [nil]
    var count = CInt(kept.count - 1)
    return kept.withUnsafeMutableBufferPointer { buffer in
        var pointer = buffer.baseAddress
        return LLVMFuzzerRunDriver(&count, &pointer, callback)
    }
}
