#!/usr/bin/env python3
"""Writes the seed corpora of fuzz_tran_cfg (pin lists, environment values)
and fuzz_tls_config (PEM texts, cipher suite and group lists): a few valid
inputs of each grammar and the near misses around its edges, including the
inputs of the two bugs found while writing these targets (a key file's NUL
bytes trimmed as whitespace; a PEM text whose last block has no newline
after it overflowing the extractor's copy by one byte).

usage: gen_fuzz_cfg_corpus.py [corpus_dir]   (default: corpus/ next to this
script).  Deterministic: rerunning rewrites identical files.
"""
import os
import sys

PIN = bytes(range(32)).hex()          # 64 lowercase hex digits
PIN2 = bytes(range(32, 64)).hex()
PINS_MAX = 64                         # NNG_MPC_TLS_PINS_MAX

TRAN_CFG = {
    "pin_one": PIN,
    "pin_two": PIN + "," + PIN2,
    "pin_spaces": " " + PIN + "\n\t" + PIN2.upper() + "\r\n",
    "pin_max": ",".join([PIN] * PINS_MAX),
    "pin_too_many": ",".join([PIN] * (PINS_MAX + 1)),
    "pin_short": PIN[:-1],
    "pin_long_run": PIN + "0",
    "pin_bad_digit": PIN[:-1] + "g",
    "pin_empty": "",
    "env_session_id": " " + bytes(range(16)).hex() + "\n",
    "env_key_file": bytes(range(32)).hex() + "\n",
    "env_key_nul": bytes(range(32)).hex() + "\0",
    "env_key_spaces": "\t\r\n " + bytes(range(32)).hex().upper() + " \n",
    "party_1": "1",
    "party_max": "4294967294",
    "party_none": "4294967295",
    "party_zero": "0",
    "party_leading_zero": "07",
    "party_sign": "+7",
    "party_overflow": "18446744073709551617",
}

BODY = "MIIBszCCAVmgAwIBAgIUZmFrZWZha2VmYWtlZmFrZWZha2UwCgYIKoZIzj0EAwIw\n"


def block(label, body=BODY):
    return "-----BEGIN %s-----\n%s-----END %s-----\n" % (label, body, label)


TLS_CONFIG = {
    "pem_cert_key": block("CERTIFICATE") + block("PRIVATE KEY"),
    "pem_chain_crl": block("CERTIFICATE") + block("CERTIFICATE")
    + "comment between\n" + block("X509 CRL"),
    "pem_no_final_newline": block("CERTIFICATE").rstrip("\n"),
    "pem_adjacent": (block("CERTIFICATE").rstrip("\n")) * 3,
    "pem_overlap": "-----BEGIN CERTIFICATE-----END CERTIFICATE-----",
    "pem_begin_only": "-----BEGIN CERTIFICATE-----\n" + BODY,
    "pem_end_first": "-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----",
    "ciphers_ok": "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256:"
    "TLS_CHACHA20_POLY1305_SHA256",
    "ciphers_tls12": "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "ciphers_empty_name": "TLS_AES_128_GCM_SHA256::TLS_AES_256_GCM_SHA384",
    "ciphers_trailing_colon": "TLS_AES_128_GCM_SHA256:",
    "ciphers_twice": "TLS_AES_128_GCM_SHA256:TLS_AES_128_GCM_SHA256",
    "groups_ok": "X25519:P-256:P-384",
    "groups_unknown": "X25519:P-521",
    "groups_prefix": "X2551",
}


def write(outdir, files):
    os.makedirs(outdir, exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(text.encode("latin-1"))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus")
    write(os.path.join(root, "fuzz_tran_cfg"), TRAN_CFG)
    write(os.path.join(root, "fuzz_tls_config"), TLS_CONFIG)


if __name__ == "__main__":
    main()
