import SesameCore
import Synchronization

/// A deterministic source (SplitMix64) for tests only: never use it for real secrets.
public final class SeededRandomSource: RandomSource {
    private let state: Mutex<UInt64>

    public init(seed: UInt64) {
        state = Mutex(seed)
    }

    public func bytes(_ count: Int) -> [UInt8] {
        state.withLock { state in
            var output: [UInt8] = []
            output.reserveCapacity(count)
            while output.count < count {
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                z ^= z >> 31
                withUnsafeBytes(of: z) { output.append(contentsOf: $0.prefix(count - output.count)) }
            }
            return output
        }
    }
}

/// `SeededRandomSource` as a `RandomNumberGenerator`, for `Int.random(in:using:)` and the like in tests that draw
/// cases: the same seed draws the same cases, so that a failure comes back on the next run.
public struct SeededDraws: RandomNumberGenerator {
    private let source: SeededRandomSource

    public init(seed: UInt64) {
        source = SeededRandomSource(seed: seed)
    }

    public mutating func next() -> UInt64 { source.bytes(8).reduce(0) { $0 << 8 | UInt64($1) } }
}
