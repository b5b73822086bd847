#!/usr/bin/env python3
"""Print the preprocessor definitions NNG's own build compiled libnng with.

NNG's internal headers (src/core/nng_impl.h and what it includes) only compile,
and only have the right struct layouts, with the exact definitions NNG itself
was configured with (NNG_PLATFORM_*, NNG_HAVE_*, NNG_ENABLE_STATS,
NNG_SUPP_TLS, ...).  Most of them are CMake directory-level definitions that no
exported CMake target carries, so meson cannot hand them to us as a dependency.
This reads them from the CMake file-API reply that meson's cmake module asked
CMake to write for the `nng` target: nothing is guessed or retyped.

usage: nng_internal_args.py <cmake build dir of the nng subproject>
"""
import glob
import json
import os
import sys

# Definitions that only make sense while building libnng itself.
SKIP = {"nng_EXPORTS", "NNG_SHARED_LIB"}


def main():
    reply = os.path.join(sys.argv[1], ".cmake", "api", "v1", "reply")
    targets = glob.glob(os.path.join(reply, "target-nng-*.json"))
    if len(targets) != 1:
        sys.exit("nng_internal_args.py: expected one CMake reply for target nng in "
                 f"{reply}, found {len(targets)}")
    with open(targets[0], encoding="utf-8") as f:
        target = json.load(f)
    defines = set()
    for group in target.get("compileGroups", []):
        if group.get("language") == "C":
            defines.update(d["define"] for d in group.get("defines", []))
    defines -= SKIP
    for required in ("NNG_PLATFORM_POSIX", "NNG_SUPP_TLS", "NNG_ENABLE_STATS"):
        if required not in defines:
            sys.exit(f"nng_internal_args.py: NNG was built without {required}")
    for d in sorted(defines):
        print("-D" + d)


if __name__ == "__main__":
    main()
