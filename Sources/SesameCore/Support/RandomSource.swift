import Synchronization

/// Where secrets come from: codes, salts, tokens, question draws. A port so that tests can be reproducible.
public protocol RandomSource: Sendable {
    /// Fills `count` bytes.
    func bytes(_ count: Int) -> [UInt8]
}

extension RandomSource {
    /// A uniformly distributed integer in `0..<upperBound`, by rejection sampling (no modulo bias).
    public func uniform(below upperBound: UInt32) -> UInt32 {
        precondition(upperBound > 0)  // trap-safe: every caller passes a constant or a non-empty count
        let limit = UInt32.max - UInt32.max % upperBound
        while true {
            let value = bytes(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            if value < limit { return value % upperBound }
        }
    }

    /// `count` distinct elements of `items`, in random order.
    public func sample<T>(_ items: [T], count: Int) -> [T] {
        var pool = items
        var picked: [T] = []
        for _ in 0..<min(count, pool.count) {
            picked.append(pool.remove(at: Int(uniform(below: UInt32(pool.count)))))
        }
        return picked
    }
}

/// The operating system's CSPRNG (`getrandom` on Linux).
public struct SystemRandomSource: RandomSource {
    public init() {}

    public func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}

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
