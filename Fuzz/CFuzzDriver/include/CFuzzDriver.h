#ifndef SESAME_FUZZ_DRIVER_H
#define SESAME_FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's entry point (https://llvm.org/docs/LibFuzzer.html#using-libfuzzer-as-a-library). Built with
/// `-sanitize=fuzzer`, libFuzzer's own definition runs the fuzzing loop; in an ordinary build, the weak definition
/// in driver.c runs the callback once on each file named in `argv` (a corpus replay, as a regression test).
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
