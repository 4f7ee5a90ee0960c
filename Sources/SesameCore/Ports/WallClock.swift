import Foundation

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
