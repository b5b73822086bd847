/*
 * demo_echo.h -- `nngmpc demo --equivocate ID` (demo_echo.c).
 */
#ifndef NNGMPC_DEMO_ECHO_H
#define NNGMPC_DEMO_ECHO_H

#include <stdbool.h>
#include <stdint.h>

/* Runs the equivocation demo with parties (3..16) of which id
 * equivocates; returns the exit status. */
int nngmpc_demo_equivocate(
    uint32_t parties, uint32_t id, uint32_t timeout_s, bool keep);

#endif /* NNGMPC_DEMO_ECHO_H */
