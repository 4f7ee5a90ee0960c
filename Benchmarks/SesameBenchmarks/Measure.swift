import Dispatch
import Foundation
import SesameArgon2

/// Runs `body` `count` times and returns operations per second; a warm-up round is not counted.
func operationsPerSecond(count: Int, warmUp: Int = 0, _ body: () throws -> Void) rethrows -> Double {
    for _ in 0..<warmUp { try body() }
    let clock = ContinuousClock()
    let elapsed = try clock.measure { for _ in 0..<count { try body() } }
    return Double(count) / seconds(elapsed)
}

/// The same for async work, `concurrency` operations in flight at once.
func operationsPerSecond(count: Int, concurrency: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for lane in 0..<concurrency {
            group.addTask {
                for index in stride(from: lane, to: count, by: concurrency) { try await body(index) }
            }
        }
        try await group.waitForAll()
    }
    return Double(count) / seconds(clock.now - start)
}

/// Argon2id hashes a second on every core, as many at once as there are cores: what bounds full resets.
func argon2Bound(_ hasher: Argon2idHasher) async throws -> Double {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    return try await operationsPerSecond(count: 30 * cores, concurrency: cores) { _ in _ = try await hasher.hash("correct horse battery staple") }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func report(_ name: String, _ value: Double, _ unit: String) {
    let number = value >= 100 ? String(Int(value.rounded())) : String((value * 100).rounded() / 100)
    print(name.padding(toLength: 58, withPad: " ", startingAt: 0) + number.leftPadded(to: 10) + "  " + unit)
}

extension String {
    func leftPadded(to width: Int) -> String {
        String(repeating: " ", count: max(0, width - count)) + self
    }
}
