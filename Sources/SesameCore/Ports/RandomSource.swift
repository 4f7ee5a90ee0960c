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
