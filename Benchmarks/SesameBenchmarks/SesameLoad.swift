import AsyncHTTPClient
import Foundation
import SesameCore
import Synchronization

/// Sesame's flows over its pages, as people in browsers go through them.
///
/// The throttles stay as they are: a user may be sent 5 codes an hour and type 10 wrong codes a day, an address
/// asks for 20 codes an hour (docs/behaviour.md#throttles). So each level gets users of its own, signed in before it
/// starts, each from an address of its own; a registration flow uses a user for up to four codes, and a wrong-code
/// check one of three tries at the user's live code. A user's first registration needs no step-up
/// (docs/behaviour.md#step-up), so the flows are the pages and nothing else.
final class SesameLoad: Sendable {
    let client: HTTPClient
    let base: String
    let inbox: CodeInbox
    let password: String
    /// Users seeded with `http seed`, handed out in order.
    let users: Int
    let resetUsers: Int
    private let resetsHandedOut = Mutex(0)
    /// The client's time solving proofs of work, and how many it solved.
    private let solving = Mutex((total: Duration.zero, count: 0))
    let expectedRate: Int
    private let handedOut = Mutex(0)
    /// Distinct phone numbers: a number may be sent 5 codes an hour.
    private let numbers = Mutex(0)

    static let registrationsPerUser = 4
    static let wrongTriesPerUser = 3
    /// Argon2id hashes a full reset computes: the new password's. A reset may reuse the current password
    /// (docs/behaviour.md#new-password-or-unlock), so it verifies none, unlike a change, which checks the new
    /// password against the current one. A reset by security questions, recovery code or access pass would verify more.
    static let hashesPerReset = 1.0

    init(client: HTTPClient, base: String, inbox: CodeInbox, password: String, users: Int, resetUsers: Int, expectedRate: Int) {
        self.resetUsers = resetUsers
        self.expectedRate = expectedRate
        self.client = client
        self.base = base
        self.inbox = inbox
        self.password = password
        self.users = users
    }

    static func userID(_ index: Int) -> String { "load\(index)@contoso.example" }

    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    /// Each flow at each level, then the two quicker ones paced at 80 % of their fastest level's rate, with as many
    /// workers as the largest level: where the p99 target is set (README.md#over-http-beside-privacyidea). Resets are
    /// prepared for `resetsPerSecond`.
    func figures(levels: [Int], duration: Duration, server: ServerProcess, flows: Set<String>, resetsPerSecond: Double) async throws -> [LoadLevel.Figures] {
        var figures: [LoadLevel.Figures] = []
        if flows.contains("registration") {
            figures += try await peakThenPaced("send SMS code + verify", levels, duration, server, registrations)
        }
        if flows.contains("wrong") {
            figures += try await peakThenPaced("wrong code", levels, duration, server, wrongCodes)
        }
        for concurrency in levels where flows.contains("reset") {
            // Half as many again as the bound allows, so that no worker runs out: the machine's speed moves, and the
            // bound measured before the resets has read a quarter lower than the one after.
            let count = Int(seconds(duration) * resetsPerSecond * 1.5) + concurrency
            let first = resetsHandedOut.withLock { taken in
                defer { taken += count }
                return taken
            }
            let proofs = try await solvedProofs(count: min(count, max(resetUsers - first, 0)))
            let lanes = Lanes(Array(zip(first..<first + proofs.count, proofs)), lanes: concurrency)
            figures.append(await LoadLevel(name: "full reset", concurrency: concurrency, duration: duration).run(server: server) { worker, unit in
                guard let (index, proof) = lanes.take(worker, unit) else { return false }
                try await self.reset(index, proof)
                return true
            })
        }
        return figures
    }

    /// `flow` at each of `levels`, then paced at 80 % of the fastest one's rate with as many workers as the largest.
    private func peakThenPaced(
        _ name: String, _ levels: [Int], _ duration: Duration, _ server: ServerProcess,
        _ flow: (LoadLevel, ServerProcess) async throws -> LoadLevel.Figures
    ) async throws -> [LoadLevel.Figures] {
        var figures: [LoadLevel.Figures] = []
        for concurrency in levels { figures.append(try await flow(LoadLevel(name: name, concurrency: concurrency, duration: duration), server)) }
        let peak = figures.map(\.rate).max() ?? 0
        figures.append(try await flow(LoadLevel(name: name, concurrency: levels.max() ?? 32, duration: duration, pace: 0.8 * peak), server))
        return figures
    }

    /// A level of send+check flows, on users signed in for it.
    private func registrations(_ level: LoadLevel, _ server: ServerProcess) async throws -> LoadLevel.Figures {
        let count = try usersFor(level.concurrency, level.duration, perUser: Self.registrationsPerUser, rate: level.preparedRate)
        let registrations = Lanes(try await signIn(count: count, concurrency: level.concurrency), lanes: level.concurrency)
        return await level.run(server: server) { worker, unit in
            guard let browser = registrations.take(worker, unit / Self.registrationsPerUser) else { return false }
            try await self.register(browser)
            return true
        }
    }

    /// A level of wrong codes, each against a live challenge of a user signed in for it. Checks are quicker than
    /// sends: five times as many users as the expected rate calls for.
    private func wrongCodes(_ level: LoadLevel, _ server: ServerProcess) async throws -> LoadLevel.Figures {
        let rate = level.preparedRate ?? 5 * expectedRate
        let signedIn = try await signIn(count: try usersFor(level.concurrency, level.duration, perUser: Self.wrongTriesPerUser, rate: rate), concurrency: level.concurrency)
        let challenges = Lanes(try await inParallel(signedIn, concurrency: level.concurrency) { browser in try await self.liveCode(browser) }, lanes: level.concurrency)
        return await level.run(server: server) { worker, unit in
            guard let challenge = challenges.take(worker, unit / Self.wrongTriesPerUser) else { return false }
            try await self.wrongCode(challenge)
            return true
        }
    }

    /// A solved proof of work of "Who are you?", and the time the client took to solve it.
    struct Proof: Sendable {
        let token: String
        let solution: String
        let solving: Duration
    }

    /// Proofs for a level's resets, solved before it starts as people's browsers solve them on their own devices: on
    /// this machine the client's solving would take the server's cores (tokens are valid 5 minutes and bound to no
    /// session, so any may open any reset).
    private func solvedProofs(count: Int) async throws -> [Proof] {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let proofs = try await inParallel(Array(0..<count), concurrency: cores) { index in
            var browser = LoadBrowser(client: self.client, base: self.base, address: "10.201.\(index >> 8 & 255).\(index & 255)")
            let start = try await browser.get("/reset")
            guard let token = start.body.value(after: #"name="captcha" value=""#),
                let bits = start.body.value(after: #"data-bits=""#).flatMap({ Int($0) })
            else { throw Failed(description: "no CAPTCHA on \"Who are you?\": \(start.status)") }
            var solution = ""
            let solving = ContinuousClock().measure { solution = Captcha.solve(token, bits: bits) }
            return Proof(token: token, solution: solution, solving: solving)
        }
        solving.withLock { $0 = ($0.total + proofs.reduce(.zero) { $0 + $1.solving }, $0.count + proofs.count) }
        return proofs
    }

    /// What the client took to solve a proof of work, on average, in milliseconds.
    var proofOfWorkMilliseconds: Double {
        solving.withLock { seconds($0.total) * 1_000 / Double(max($0.count, 1)) }
    }

    static func resetUserID(_ index: Int) -> String { "reset\(index)@contoso.example" }

    /// The authentication phone of reset user `index`: another range than the registrations' numbers.
    static func resetPhone(_ index: Int) -> String { "+336" + String(format: "%08d", 20_000_000 + index) }

    /// A whole reset, as someone locked out goes through it: "Who are you?" with a proof of work solved before the
    /// level, the SMS option, the number typed again, the code, and a new password.
    private func reset(_ index: Int, _ proof: Proof) async throws {
        var browser = LoadBrowser(client: client, base: base, address: "10.200.\(index >> 8 & 255).\(index & 255)")
        _ = try await browser.get("/reset")
        var page = try await browser.post("/reset", ["userID": Self.resetUserID(index), "captcha": proof.token, "solution": proof.solution])
        page = try await browser.post("/reset/option", ["option": "mobileSMS"])
        page = try await browser.post("/reset/phone", ["number": Self.resetPhone(index)])
        guard page.body.holds(#"name="code""#) else { throw Failed(description: "no code page: \(page.status) \(summary(page))") }
        guard let code = await inbox.next(for: Self.resetPhone(index), within: .seconds(10)) else { throw Failed(description: "no SMS for reset \(index)") }
        page = try await browser.post("/reset/code", ["code": code])
        let password = "Nw-\(UUID().uuidString.prefix(13))!"
        page = try await browser.post("/reset/password", ["new": password, "confirm": password])
        guard page.status == 200, page.body.holds("Your password has been reset") else {
            throw Failed(description: "the reset did not end: \(page.status) \(summary(page))")
        }
    }

    /// Enough users for a level at `perUser` flows each, if the level runs at up to `rate` flows a second,
    /// and no more than are left of the seeded ones (each costs a sign-in, an Argon2id hash, before the level).
    private func usersFor(_ concurrency: Int, _ duration: Duration, perUser: Int, rate: Int? = nil) throws -> Int {
        let wanted = concurrency * (Int(seconds(duration)) * (rate ?? expectedRate) / perUser / concurrency + 1)
        let left = users - handedOut.withLock { $0 }
        guard left >= concurrency else { throw Failed(description: "no seeded users left: seed more with --users") }
        return min(wanted, left)
    }

    /// Signs `count` new users in, `concurrency` at a time.
    private func signIn(count: Int, concurrency: Int) async throws -> [Browser] {
        let first = handedOut.withLock { taken in
            defer { taken += count }
            return taken
        }
        return try await inParallel(Array(first..<(first + count)), concurrency: concurrency) { index in
            var browser = LoadBrowser(client: self.client, base: self.base, address: "10.\(index >> 16 & 255).\(index >> 8 & 255).\(index & 255)")
            _ = try await browser.get("/signin")
            let page = try await browser.post("/signin", ["userID": Self.userID(index), "password": self.password])
            guard page.status == 200, !page.body.holds(#"name="password""#) else {
                throw Failed(description: "\(Self.userID(index)) did not sign in: \(page.status) \(page.body.prefix(200))")
            }
            _ = try await browser.get("/register/phone")
            return Browser(browser)
        }
    }

    /// Asks for a code by SMS to a new number and types it: the code page, then "Thanks".
    private func register(_ browser: Browser) async throws {
        let number = nextNumber()
        var page = try await browser.post("/register/phone", ["country": "FR", "number": number, "channel": "sms"])
        guard page.status == 200, page.body.holds(#"name="code""#) else { throw Failed(description: "no code page: \(page.status) \(summary(page))") }
        guard let code = await inbox.next(for: number, within: .seconds(10)) else { throw Failed(description: "no SMS to \(number)") }
        page = try await browser.post("/register/verify", ["code": code])
        guard page.status == 200, page.body.holds("/register/finish") else { throw Failed(description: "the code was refused: \(page.status) \(summary(page))") }
    }

    /// A signed-in user waiting for the code just sent to a new number.
    struct Challenge {
        let browser: Browser
        let code: String
    }

    private func liveCode(_ browser: Browser) async throws -> Challenge {
        let number = nextNumber()
        let page = try await browser.post("/register/phone", ["country": "FR", "number": number, "channel": "sms"])
        guard page.status == 200, let code = await inbox.next(for: number, within: .seconds(10)) else {
            throw Failed(description: "no code for \(number): \(page.status) \(summary(page))")
        }
        return Challenge(browser: browser, code: code)
    }

    /// Types a wrong code: the code page again, saying so.
    private func wrongCode(_ challenge: Challenge) async throws {
        let wrong = String(format: "%06d", ((Int(challenge.code) ?? 0) + 1) % 1_000_000)
        let page = try await challenge.browser.post("/register/verify", ["code": wrong])
        guard page.status == 422, page.body.holds("That code isn") || page.body.holds("can no longer be used") else { throw Failed(description: "a wrong code: \(page.status) \(summary(page))") }
    }

    /// A French mobile number not used before in this run.
    private func nextNumber() -> String {
        let next = numbers.withLock { number in
            defer { number += 1 }
            return number
        }
        return "+336" + String(format: "%08d", 10_000_000 + next)
    }

    private func summary(_ page: LoadBrowser.Page) -> String {
        let error = page.body.firstMatch(of: /class="(?:notice )?error"[^>]*>([^<]*)/).map { String($0.output.1) }
        return error ?? String(page.body.prefix(200))
    }

    private func inParallel<Input: Sendable, Output: Sendable>(
        _ inputs: [Input], concurrency: Int, _ body: @escaping @Sendable (Input) async throws -> Output
    ) async throws -> [Output] {
        try await withThrowingTaskGroup(of: [(Int, Output)].self) { group in
            for lane in 0..<concurrency {
                group.addTask {
                    var made: [(Int, Output)] = []
                    for index in stride(from: lane, to: inputs.count, by: concurrency) { made.append((index, try await body(inputs[index]))) }
                    return made
                }
            }
            var outputs: [(Int, Output)] = []
            for try await made in group { outputs += made }
            return outputs.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }
}

/// A browser shared by reference between the level's setup and the one worker that drives it.
final class Browser: Sendable {
    private let state: Mutex<LoadBrowser>

    init(_ browser: LoadBrowser) {
        state = Mutex(browser)
    }

    func post(_ path: String, _ fields: [String: String]) async throws -> LoadBrowser.Page {
        var browser = state.withLock { $0 }
        let page = try await browser.post(path, fields)
        state.withLock { $0 = browser }
        return page
    }
}

/// Units of work split among a level's workers: worker `w` gets units `w`, `w + lanes`, …
struct Lanes<Unit: Sendable>: Sendable {
    let units: [Unit]
    let lanes: Int

    init(_ units: [Unit], lanes: Int) {
        self.units = units
        self.lanes = lanes
    }

    func take(_ worker: Int, _ index: Int) -> Unit? {
        let position = worker + index * lanes
        return position < units.count ? units[position] : nil
    }
}
