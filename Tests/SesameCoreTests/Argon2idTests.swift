import CArgon2
import Foundation
import Glibc
import Synchronization
import Testing

@testable import SesameArgon2

@Suite struct Argon2idTests {
    let hasher = Argon2idHasher()

    @Test func phcStringCarriesTheParameters() async throws {
        let hash = try await hasher.hash("correct horse")
        #expect(hash.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        #expect(Argon2Parameters(phc: hash) == .default)
        #expect(await hasher.verify("correct horse", against: hash))
        #expect(!(await hasher.verify("correct horsE", against: hash)))
    }

    @Test func saltsDiffer() async throws {
        let first = try await hasher.hash("same")
        let second = try await hasher.hash("same")
        #expect(first != second)
    }

    @Test func needsRehashWhenParametersChange() async throws {
        let weak = Argon2idHasher(parameters: .init(memoryKiB: 1024, iterations: 1, parallelism: 1))
        let old = try await weak.hash("secret")
        #expect(hasher.needsRehash(old))
        #expect(!weak.needsRehash(old))
        // The old hash still verifies: its parameters travel with it.
        #expect(await hasher.verify("secret", against: old))
        #expect(hasher.needsRehash("$2b$10$bcrypt-hash"))
    }

    @Test(arguments: ["", "plain", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA", "$argon2id$v=19$m=x,t=2,p=1$a$b"])
    func malformedHashesDoNotVerify(_ hash: String) async {
        #expect(!(await hasher.verify("anything", against: hash)))
        #expect(Argon2Parameters(phc: hash) == nil)
    }

    /// What libargon2's own encoder writes for the same password and salt.
    func libargon2Hash(_ password: String, salt: [UInt8], _ parameters: Argon2Parameters) -> String {
        let length = argon2_encodedlen(parameters.iterations, parameters.memoryKiB, parameters.parallelism, UInt32(salt.count), 32, Argon2_id)
        var encoded = [CChar](repeating: 0, count: length)
        let bytes = Array(password.utf8)
        let status = argon2id_hash_encoded(parameters.iterations, parameters.memoryKiB, parameters.parallelism, bytes, bytes.count, salt, salt.count, 32, &encoded, length)
        #expect(status == ARGON2_OK.rawValue)
        return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Salts of every length modulo 3, so that each way Base64 ends is written.
    @Test(arguments: [("correct horse", 16), ("", 8), ("pâté ünïcode", 17), ("x", 18)])
    func theHashIsWhatLibargon2Writes(_ password: String, _ saltLength: Int) throws {
        let salt = (0..<saltLength).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let cheap = Argon2Parameters(memoryKiB: 64, iterations: 1, parallelism: 1)
        let theirs = libargon2Hash(password, salt: salt, cheap)
        #expect(try Argon2idHasher(parameters: cheap).hashNow(password, salt: salt) == theirs)
        #expect(Argon2PHC(theirs)?.text == theirs)
        #expect(Argon2PHC(theirs)?.salt == salt)
    }

    @Test func whatLibargon2WroteVerifies() async throws {
        let theirs = libargon2Hash("correct horse", salt: Array(repeating: 7, count: 16), .default)
        #expect(await hasher.verify("correct horse", against: theirs))
        #expect(!(await hasher.verify("correct horsf", against: theirs)))
        // One bit of the stored hash changed.
        let stored = try #require(Argon2PHC(theirs))
        var tampered = stored
        tampered.hash[0] ^= 1
        #expect(!(await hasher.verify("correct horse", against: tampered.text)))
    }

    @Test(arguments: ["$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$", "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ=$aGFzaGhhc2g",
        "$argon2id$v=19$m=64,t=1,p=1$c2F*dHNhbHQ$aGFzaGhhc2g", "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQx$aGFzaGhhc2gxx",
        // Another way of writing what libargon2 writes: parameters reordered, a key twice, Base64's unused bits set.
        "$argon2id$v=19$t=1,m=64,p=1$c2FsdHNhbHQ$aGFzaGhhc2g", "$argon2id$v=19$m=64,t=1,p=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
        "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHR$aGFzaGhhc2g"])
    func saltsAndHashesOutsideUnpaddedBase64AreRefused(_ text: String) async {
        #expect(Argon2PHC(text) == nil)
        #expect(!(await hasher.verify("anything", against: text)))
    }

    /// A hash made with other parameters verifies with the parameters it carries.
    @Test func aHashWithMoreMemoryVerifies() async throws {
        let larger = try await Argon2idHasher(parameters: .init(memoryKiB: 256, iterations: 1, parallelism: 1)).hash("secret")
        let small = Argon2idHasher(parameters: .init(memoryKiB: 64, iterations: 1, parallelism: 1), concurrency: 1)
        #expect(await small.verify("secret", against: larger))
        #expect(!(await small.verify("Secret", against: larger)))
    }

    /// Many hashes at once, one at a time: each waits its turn, and each result verifies.
    @Test func hashesWaitTheirTurn() async throws {
        let single = Argon2idHasher(parameters: .init(memoryKiB: 64, iterations: 1, parallelism: 1), concurrency: 1)
        let hashes = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<16 { group.addTask { (index, try await single.hash("password \(index)")) } }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        for (index, hash) in hashes {
            #expect(await single.verify("password \(index)", against: hash))
            #expect(!(await single.verify("password \(index + 1)", against: hash)))
        }
    }

    /// The memory a hash maps is aligned on a huge page and writable over its whole size, and all of it is unmapped
    /// after: 256 hashes' worth leave the process's address space as it was, give or take what other tests map.
    @Test func aHashsMemoryIsMappedForItAndUnmappedAfter() throws {
        func addressSpace() throws -> Int {
            let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
            let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmSize:") })
            return try #require(Int(line.split(separator: " ").dropFirst().first ?? "")) * 1_024
        }
        let size = 19 * 1_024 * 1_024 + 1
        let before = try addressSpace()
        for _ in 0..<256 {
            var memory: UnsafeMutablePointer<UInt8>?
            #expect(sesame_argon2_map(&memory, size) == ARGON2_OK.rawValue)
            let start = try #require(memory)
            #expect(Int(bitPattern: start) % (2 << 20) == 0)
            start[0] = 1
            start[size - 1] = 1
            sesame_argon2_unmap(start, size)
        }
        // Each pair leaving its 2 MiB of alignment would add 512 MiB; each leaving all of it, 5 GiB.
        #expect(try addressSpace() - before < 256 * 1_024 * 1_024)
    }

    /// A hash maps its size to the next page, not to the next huge page: 19 MiB and a byte hold 19 MiB and a page,
    /// rather than 20 MiB of which about 1 MiB would go unused but resident.
    @Test func aHashMapsItsSizeToTheNextPage() {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        #expect(sesame_argon2_mapped_length(19 * 1_024 * 1_024) == 19 * 1_024 * 1_024)
        #expect(sesame_argon2_mapped_length(19 * 1_024 * 1_024 + 1) == 19 * 1_024 * 1_024 + page)
    }

    @Test(arguments: [(nil, false), ("always [madvise] never\n", true), ("[always] madvise never\n", true), ("always madvise [never]\n", false)])
    func hugePagesAreUsedWhereTheKernelGivesThem(_ setting: String?, _ available: Bool) {
        #expect(TransparentHugePages.available(setting: setting) == available)
    }

    /// Both ways of finding memory give the same hash.
    @Test func mappedAndMallocedMemoryHashAlike() throws {
        let cheap = Argon2Parameters(memoryKiB: 4_096, iterations: 1, parallelism: 1)
        let salt = [UInt8](repeating: 3, count: 16)
        let mapped = try Argon2idHasher(parameters: cheap, mapsItsMemory: true).hashNow("secret", salt: salt)
        #expect(try Argon2idHasher(parameters: cheap, mapsItsMemory: false).hashNow("secret", salt: salt) == mapped)
        #expect(mapped == libargon2Hash("secret", salt: salt, cheap))
    }

    /// However many ask at once, no more than `count` hold a turn, and every turn comes back: afterwards `count`
    /// turns are taken at once and one more waits.
    @Test(.timeLimit(.minutes(1))) func noMoreThanCountHoldATurn() async throws {
        let turns = Argon2Turns(count: 3)
        final class Holders: Sendable { let count = Mutex((now: 0, most: 0)) }
        let holders = Holders()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    // Arriving over 20 ms, some while others hand their turns on.
                    try await Task.sleep(for: .milliseconds(index % 20))
                    await turns.take()
                    holders.count.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                    // Held across a suspension, as a hash is, so that others queue meanwhile.
                    try await Task.sleep(for: .milliseconds(1))
                    holders.count.withLock { $0.now -= 1 }
                    turns.giveBack()
                }
            }
            try await group.waitForAll()
        }
        #expect(holders.count.withLock { $0.most } <= 3)
        for _ in 0..<3 { await turns.take() }
        let fourth = Task { await turns.take() }
        while turns.waitingCount == 0 { await Task.yield() }
        for _ in 0..<3 { turns.giveBack() }
        await fourth.value
        turns.giveBack()
    }

    @Test func aWaitingHashGetsTheTurnGivenBack() async throws {
        let turns = Argon2Turns(count: 2)
        await turns.take()
        await turns.take()
        let third = Task { await turns.take() }
        while turns.waitingCount == 0 { await Task.yield() }
        turns.giveBack()
        await third.value
        #expect(turns.waitingCount == 0)
        turns.giveBack()
        turns.giveBack()
    }

    @Test func twoLanesHashAndVerify() async throws {
        let twoLanes = Argon2idHasher(parameters: .init(memoryKiB: 64, iterations: 1, parallelism: 2), concurrency: 1)
        let hash = try await twoLanes.hash("secret")
        #expect(hash.hasPrefix("$argon2id$v=19$m=64,t=1,p=2$"))
        #expect(await twoLanes.verify("secret", against: hash))
        #expect(await hasher.verify("secret", against: hash))
        #expect(!(await twoLanes.verify("secreT", against: hash)))
    }
}
