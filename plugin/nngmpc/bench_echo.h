/*
 * bench_echo.h -- `nngmpc bench --echo` (bench_echo.c).
 */
#ifndef NNGMPC_BENCH_ECHO_H
#define NNGMPC_BENCH_ECHO_H

/* argv[0] is "--echo"; returns the exit status. */
int nngmpc_bench_echo(int argc, char **argv);

#endif /* NNGMPC_BENCH_ECHO_H */
