#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_frame: valid MPC frames of every message
type at a few payload sizes, encoded here independently of the C codec
(test/wire/test_corpus.c decodes every file, so the two implementations of
the layout in include/nng_mpc.h cross-check each other).

usage: gen_fuzz_frame_corpus.py [outdir]   (default: corpus/fuzz_frame next
to this script).  Deterministic: rerunning rewrites identical files.
"""
import hashlib
import os
import struct
import sys

MAGIC = 0x894D
VERSION = 1
TAG_SIZE = 16

TYPES = {
    0x0001: "DKG_ROUND1", 0x0002: "DKG_ROUND2", 0x0003: "DKG_ROUND3",
    0x0011: "SIGN_ROUND1", 0x0012: "SIGN_ROUND2", 0x0013: "SIGN_ROUND3",
    0x0014: "SIGN_ROUND4", 0x0021: "PRESIGN_ROUND1",
    0x0022: "PRESIGN_ROUND2", 0x0031: "HEARTBEAT", 0x0032: "ACK",
    0x0033: "ERROR", 0x0100: "CTL_HELLO", 0x0101: "CTL_FINISHED",
    0x0102: "CTL_REKEY", 0x0103: "CTL_CLOSE", 0x8000: "APP_DEFAULT",
    0xFFFF: "APP_LAST",
    # Heartbeats, last so the frames above keep their bytes.
    0x0104: "CTL_PING", 0x0105: "CTL_PONG",
}
SIZES = (0, 1, 64, 300)


def binding(session_id):
    return hashlib.sha256(b"nng-mpc v1 session binding" + session_id).digest()[:8]


def frame(mtype, size, sender, recipient, seq):
    sid = bytes(range(16))
    payload = bytes((i * 7 + mtype) & 0xFF for i in range(size))
    tag = hashlib.sha256(payload).digest()[:TAG_SIZE]  # shape only
    hdr = struct.pack(">HBBHHIIIIQQ8s", MAGIC, VERSION, 0, mtype, 0, sender,
                      recipient, 1, size, seq, 1700000000000000000 + seq,
                      binding(sid))
    assert len(hdr) == 48
    return hdr + payload + tag


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_frame")
    os.makedirs(out, exist_ok=True)
    n = 0
    for mtype, name in TYPES.items():
        for size in SIZES:
            recipient = 0xFFFFFFFF if size % 2 == 0 else 2
            data = frame(mtype, size, 1, recipient, n)
            path = os.path.join(out, "valid-%s-%d.bin" % (name.lower(), size))
            with open(path, "wb") as f:
                f.write(data)
            n += 1
    print("wrote %d frames to %s" % (n, out))


if __name__ == "__main__":
    main()
