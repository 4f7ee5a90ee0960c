#ifndef SESAME_CARGON2_SHIM_H
#define SESAME_CARGON2_SHIM_H
#include <argon2.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

/* ARGON2_DEFAULT_FLAGS, which Swift cannot import (it is written with UINT32_C): what argon2id_hash_encoded uses. */
static const uint32_t sesame_argon2_default_flags = ARGON2_DEFAULT_FLAGS;

/* Each hash's memory mapped for it and unmapped after it, in huge pages (docs/security.md#argon2id-memory). */
static const size_t sesame_argon2_huge_page = (size_t)2 << 20;

/* The length mapped: the size to the next page, not to the next huge page. The kernel backs only whole huge pages
   inside a mapping with them, so the last part of a hash's 19 MiB takes small pages, and the hash holds 19 MiB
   rather than 20. */
static inline size_t sesame_argon2_mapped_length(size_t size) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return (size + page - 1) & ~(page - 1);
}

/* libargon2's allocation callback: a mapping that starts on a huge page, so that the kernel can back it with 2 MiB
   pages (a few faults rather than one per 4 KiB page). It maps a huge page more than needed, then unmaps the ends. */
static inline int sesame_argon2_map(uint8_t **memory, size_t size) {
    *memory = NULL;
    size_t length = sesame_argon2_mapped_length(size);
    if (length < size || length + sesame_argon2_huge_page < length) return ARGON2_MEMORY_ALLOCATION_ERROR;
    uint8_t *mapped = mmap(NULL, length + sesame_argon2_huge_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) return ARGON2_MEMORY_ALLOCATION_ERROR;
    uintptr_t aligned = ((uintptr_t)mapped + sesame_argon2_huge_page - 1) & ~(uintptr_t)(sesame_argon2_huge_page - 1);
    uint8_t *start = (uint8_t *)aligned;
    size_t head = (size_t)(start - mapped);
    if (head > 0) munmap(mapped, head);
    munmap(start + length, sesame_argon2_huge_page - head);
    madvise(start, length, MADV_HUGEPAGE);
    *memory = start;
    return ARGON2_OK;
}

/* libargon2 has wiped the memory already. */
static inline void sesame_argon2_unmap(uint8_t *memory, size_t size) {
    if (memory != NULL) munmap(memory, sesame_argon2_mapped_length(size));
}
#endif
