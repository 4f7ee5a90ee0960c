import CMalloc

/// Where glibc's malloc gives memory back to the kernel, and from what size it maps a block of its own
/// (docs/operations.md#mallocs-thresholds).
///
/// glibc moves both by itself: freeing a block it had mapped, larger than the mapping threshold, raises that
/// threshold to the block's size and the trim threshold to twice it. libargon2's 19 MiB blocks raised them to 19 and
/// 38 MiB at the first hash; since the Argon2id hasher maps its own memory (docs/security.md#argon2id-memory), they
/// stayed near their defaults, 128 KiB and a few hundred kilobytes. A request that allocated and freed that much gave
/// it back as it ended (`madvise(MADV_DONTNEED)`, about once a request, each flushing address translations on the
/// other processors running the server), and the next request faulted the same pages in again, zeroed.
enum MallocThresholds {
    /// Up to 1 MiB of free memory stays at the top of each thread's arena.
    static let trim: Int32 = 1 << 20
    /// Blocks from 512 KiB up are mapped for themselves: glibc's own ratio, half the trim threshold.
    static let mapping: Int32 = 1 << 19

    /// Sets both where the hasher maps its own memory. Elsewhere libargon2's blocks come from malloc and raise the
    /// thresholds past 19 MiB at the first hash, as glibc means them to: setting either stops it from moving them,
    /// and every hash would map its 19 MiB afresh and fault it in 4 KiB pages.
    static func apply(hasherMapsItsMemory: Bool) {
        guard hasherMapsItsMemory else { return }
        // glibc never refuses these two options. Threads that already run just see the new thresholds at their next
        // allocation: each is a word, written under the main arena's lock.
        _ = mallopt(M_TRIM_THRESHOLD, trim)
        _ = mallopt(M_MMAP_THRESHOLD, mapping)
    }
}
