import CMalloc

/// How glibc's malloc keeps the server's memory (docs/operations.md#mallocs-settings): how many arenas it uses, where it
/// gives free memory back to the kernel, and from what size it maps a block of its own.
enum MallocSettings {
    /// Up to 1 MiB of free memory stays at the top of each thread's arena.
    static let trim: Int32 = 1 << 20
    /// Blocks from 512 KiB up are mapped for themselves: glibc's own ratio, half the trim threshold.
    static let mapping: Int32 = 1 << 19

    /// glibc gives each thread that allocates an arena of its own, up to eight a processor, and only past that limit
    /// do threads share; each arena keeps free memory of its own, up to the trim threshold at its top. The threads
    /// that allocate are the event loops and Swift's concurrency pool, one a processor each, and the workers that hash
    /// passwords and run SQLite: no more of them run at once than there are processors. Arenas made before this call
    /// stay, and count toward the limit. An operator's own limit (glibc's `MALLOC_ARENA_MAX`, or
    /// `glibc.malloc.arena_max` in `GLIBC_TUNABLES`) is left as it is.
    static func limitArenas(processors: Int, environment: [String: String]) {
        guard !operatorLimitsArenas(environment) else { return }
        _ = mallopt(M_ARENA_MAX, Int32(clamping: max(processors, 1)))
    }

    static func operatorLimitsArenas(_ environment: [String: String]) -> Bool {
        environment["MALLOC_ARENA_MAX"] != nil || (environment["GLIBC_TUNABLES"] ?? "").contains("glibc.malloc.arena_max=")
    }

    /// glibc moves both thresholds by itself: freeing a block it had mapped, larger than the mapping threshold, raises
    /// that threshold to the block's size and the trim threshold to twice it. libargon2's 19 MiB blocks raised them to
    /// 19 and 38 MiB at the first hash; since the Argon2id hasher maps its own memory (docs/security.md#argon2id-memory),
    /// they stayed near their defaults, and a request that allocated and freed more than that gave it back as it ended
    /// (`madvise(MADV_DONTNEED)`, each flushing address translations on the other processors running the server),
    /// then the next request faulted the same pages in again, zeroed. So they are set where the hasher maps its own
    /// memory. Elsewhere libargon2's blocks come from malloc and raise the thresholds past 19 MiB at the first hash, as
    /// glibc means them to: setting either stops it from moving them, and every hash would map its 19 MiB afresh and
    /// fault it in 4 KiB pages.
    static func setThresholds(hasherMapsItsMemory: Bool) {
        guard hasherMapsItsMemory else { return }
        // glibc never refuses these two options. Threads that already run just see the new thresholds at their next
        // allocation: each is a word, written under the main arena's lock.
        _ = mallopt(M_TRIM_THRESHOLD, trim)
        _ = mallopt(M_MMAP_THRESHOLD, mapping)
    }
}
