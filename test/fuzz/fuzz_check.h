/*
 * fuzz_check.h -- the one assertion the libFuzzer targets use: a broken
 * invariant aborts, which libFuzzer reports as a crash and saves the input
 * (assert() would vanish under NDEBUG).
 */
#ifndef NNG_MPC_TEST_FUZZ_CHECK_H
#define NNG_MPC_TEST_FUZZ_CHECK_H

#include <stdlib.h>

#define CHECK(x)                 \
	do {                     \
		if (!(x)) {      \
			abort(); \
		}                \
	} while (0)

#endif /* NNG_MPC_TEST_FUZZ_CHECK_H */
