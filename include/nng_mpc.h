/*
 * nng_mpc.h -- the public interface of nng-mpc, the secure MPC message
 * channel for NNG.  Include it next to <nng/nng.h>.
 *
 * Everything declared here exists and is documented where it is declared.
 * Error codes are NNG transport errors (NNG_ETRANERR + n), so every NNG call
 * can return them and nng_strerror() still prints something; use
 * nng_mpc_strerror() for the specific text.
 */
#ifndef NNG_MPC_H
#define NNG_MPC_H

#include <stddef.h>
#include <stdint.h>

#include <nng/nng.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * Errors
 * ====================================================================== */

/* First nng-mpc error code; every code is NNG_MPC_ERRBASE + n. */
#define NNG_MPC_ERRBASE NNG_ETRANERR

/* BEGIN errors: wire format (frame parsing) */
/* END errors: wire format */

/* BEGIN errors: message crypto */
/* END errors: message crypto */

/* BEGIN errors: TLS engine and identity */
/* END errors: TLS engine and identity */

/* ======================================================================
 * Wire format: message types, limits, envelope helpers
 * ====================================================================== */

/* BEGIN wire format */
/* END wire format */

/* ======================================================================
 * Cryptographic helpers for applications (HMAC-SHA256, HKDF-SHA256)
 * ====================================================================== */

/* BEGIN crypto helpers */
/* END crypto helpers */

/* ======================================================================
 * Registration, TLS engine and TLS options
 * ====================================================================== */

/* BEGIN registration and TLS */
/* END registration and TLS */

#ifdef __cplusplus
}
#endif

#endif /* NNG_MPC_H */
