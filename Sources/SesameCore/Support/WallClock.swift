import Foundation
import Synchronization

/// The time source every flow reads; a port so that tests can move time by hand.
///
/// Named `WallClock` rather than `Clock` so that it does not shadow the standard library's `Clock`.
public protocol WallClock: Sendable {
    var now: Date { get }
}

/// The real time.
public struct SystemClock: WallClock {
    public init() {}
    public var now: Date { Date() }
}

/// A clock that only moves when told to, for tests and benchmarks.
public final class ManualClock: WallClock {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Mutex(start)
    }

    public var now: Date { current.withLock { $0 } }

    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 += seconds }
    }

    public func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}
