import Testing

@testable import sesame

@Suite struct MallocSettingsTests {
    /// An operator's own arena limit, in either of glibc's two spellings, wins over the server's.
    @Test(arguments: [
        ([:], false),
        (["MALLOC_ARENA_MAX": "4"], true),
        (["GLIBC_TUNABLES": "glibc.malloc.arena_max=4"], true),
        (["GLIBC_TUNABLES": "glibc.malloc.trim_threshold=0:glibc.malloc.arena_max=1"], true),
        (["GLIBC_TUNABLES": "glibc.malloc.trim_threshold=0"], false),
        (["MALLOC_TRIM_THRESHOLD_": "0"], false),
    ])
    func operatorsLimitIsKept(environment: [String: String], kept: Bool) {
        #expect(MallocSettings.operatorLimitsArenas(environment) == kept)
    }
}
