import Foundation
import Synchronization

/// One load level: `concurrency` workers repeat a flow for `duration`, each on units of work of its own (a signed-in
/// user, a live challenge) that a flow uses up; a worker whose units are spent stops early, and the figures say so.
///
/// Unpaced, a worker starts its next flow as soon as the last one ends: the level finds the server's peak rate. Paced,
/// flows are due at `pace` a second, evenly, whoever is free takes the next one, and a flow's latency counts from
/// when it was due: a server that falls behind shows it in the latencies, not in a slower arrival of work.
struct LoadLevel {
    let name: String
    let concurrency: Int
    let duration: Duration
    var pace: Double? = nil

    /// Paced, the flows a second to prepare units for: half as many again as are due, since each worker has units of
    /// its own and a worker that is free more often takes more than its share of the flows.
    var preparedRate: Int? { pace.map { Int($0 * 1.5) + 1 } }

    struct Figures {
        let name: String
        let concurrency: Int
        let flows: Int
        let errors: Int
        let seconds: Double
        /// Milliseconds, sorted.
        let latencies: [Double]
        let cpuSeconds: Double
        let peakRSS: Int
        let firstError: String?
        let ranOut: Bool
        /// Flows due a second, when the level was paced.
        let pace: Double?
        /// Paced, the p99 of the flows that fell due in each second of the level and succeeded, in milliseconds (nil
        /// for a second none did): whether the flows queued all along or behind a stall, and when.
        let p99BySecond: [Double?]

        var rate: Double { Double(flows) / max(seconds, 0.001) }

        func percentile(_ p: Double) -> Double { LoadLevel.percentile(p, of: latencies) }
    }

    /// Runs `flow(worker, unit)` for units 0, 1, … of each worker until the time is up or `flow` returns `false`
    /// (nothing left), sampling `server` meanwhile.
    func run(server: ServerProcess, _ flow: @escaping @Sendable (_ worker: Int, _ unit: Int) async throws -> Bool) async -> Figures {
        struct Tally: Sendable {
            var latencies: [Double] = []
            /// For each latency, the second of the level in which its flow fell due.
            var dueSeconds: [Int] = []
            var errors = 0
            var firstError: String?
            var ranOut = false
        }
        let clock = ContinuousClock()
        let cpuBefore = server.cpuSeconds()
        let sampling = Task { () -> Int in
            var peak = server.residentBytes()
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                peak = max(peak, server.residentBytes())
            }
            return peak
        }
        let started = clock.now
        let deadline = started + duration
        let schedule = Schedule(started: started, deadline: deadline, pace: pace)
        let result = await withTaskGroup(of: Tally.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var tally = Tally()
                    var unit = 0
                    while let start = schedule.next(clock.now) {
                        // Only a paced flow can be due later; an unpaced one starts without a trip through the timer.
                        if start > clock.now { try? await Task.sleep(until: start, clock: clock) }
                        do {
                            guard try await flow(worker, unit) else {
                                tally.ranOut = true
                                return tally
                            }
                            tally.latencies.append(seconds(clock.now - start) * 1_000)
                            tally.dueSeconds.append(Int(seconds(start - started)))
                        } catch {
                            tally.errors += 1
                            if tally.firstError == nil { tally.firstError = "\(error)" }
                        }
                        unit += 1
                    }
                    return tally
                }
            }
            return await group.reduce(into: Tally()) { total, tally in
                total.latencies += tally.latencies
                total.dueSeconds += tally.dueSeconds
                total.errors += tally.errors
                total.firstError = total.firstError ?? tally.firstError
                total.ranOut = total.ranOut || tally.ranOut
            }
        }
        let elapsed = seconds(clock.now - started)
        sampling.cancel()
        let peak = await sampling.value
        return Figures(
            name: name, concurrency: concurrency, flows: result.latencies.count, errors: result.errors, seconds: elapsed,
            latencies: result.latencies.sorted(), cpuSeconds: server.cpuSeconds() - cpuBefore, peakRSS: peak,
            firstError: result.firstError, ranOut: result.ranOut, pace: pace,
            p99BySecond: pace == nil ? [] : Self.p99BySecond(result.latencies, dueIn: result.dueSeconds))
    }

    private static func p99BySecond(_ latencies: [Double], dueIn seconds: [Int]) -> [Double?] {
        var bySecond: [Int: [Double]] = [:]
        for (latency, second) in zip(latencies, seconds) { bySecond[second, default: []].append(latency) }
        return (0..<((seconds.max() ?? -1) + 1)).map { second in bySecond[second].map { percentile(0.99, of: $0.sorted()) } }
    }

    /// The `p` quantile of `sorted`, by the nearest rank.
    static func percentile(_ p: Double, of sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[max(0, min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1))]
    }
}

/// When the workers of a level start their flows: at once when unpaced; paced, the flows of a timetable one after
/// the other, to whichever worker asks first.
private final class Schedule: Sendable {
    let started: ContinuousClock.Instant
    let deadline: ContinuousClock.Instant
    let pace: Double?
    private let due = Mutex(0)

    init(started: ContinuousClock.Instant, deadline: ContinuousClock.Instant, pace: Double?) {
        self.started = started
        self.deadline = deadline
        self.pace = pace
    }

    /// When the asking worker's next flow is due; nil once the level's time is up.
    func next(_ now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        guard let pace else { return now < deadline ? now : nil }
        let flow = due.withLock { next in
            defer { next += 1 }
            return next
        }
        let start = started + .seconds(Double(flow) / pace)
        return start < deadline ? start : nil
    }
}

/// A server under load, read from /proc: its resident memory and the processor time it used, its children's
/// included (privacyIDEA's gunicorn workers).
struct ServerProcess: Sendable {
    let pid: Int32

    /// The process and its children.
    private func processes() -> [String] {
        let all = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return ["\(pid)"] + all.filter { entry in
            guard Int32(entry) != nil, let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8) else { return false }
            // The fields after the command's closing parenthesis: state, then the parent's pid.
            let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
            return fields.count > 1 && Int32(fields[1]) == pid
        }
    }

    func residentBytes() -> Int {
        processes().reduce(0) { total, entry in
            let status = (try? String(contentsOfFile: "/proc/\(entry)/status", encoding: .utf8)) ?? ""
            let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
            return total + (line?.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0) * 1024
        }
    }

    /// User and system time, in seconds.
    func cpuSeconds() -> Double {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return processes().reduce(0) { total, entry in
            let stat = (try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8)) ?? ""
            // utime and stime are the 14th and 15th fields: the 12th and 13th after the parenthesis.
            let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return total }
            return total + (user + system) / ticks
        }
    }
}
