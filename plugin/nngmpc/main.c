/*
 * nngmpc: the nng-mpc command-line tool.  `nngmpc <command> [options]`;
 * the commands are the table below, built from commands.def.
 * Threading: single-threaded dispatch.
 */
#include <stdio.h>
#include <string.h>

#include "nngmpc.h"

#ifndef NNGMPC_VERSION
#error "NNGMPC_VERSION comes from plugin/meson.build"
#endif

#define NNGMPC_COMMAND(n) &nngmpc_cmd_##n,
static const struct nngmpc_cmd *const nngmpc_cmds[] = {
#include "commands.def"
};
#undef NNGMPC_COMMAND

#define NNGMPC_NCMDS (sizeof(nngmpc_cmds) / sizeof(nngmpc_cmds[0]))

static void
nngmpc_usage(FILE *f)
{
	size_t i;

	fprintf(f,
	    "Usage: nngmpc <command> [options]\n"
	    "\n"
	    "The nng-mpc tool: certificates, nodes and measurements for\n"
	    "mutually authenticated multi-party messaging over NNG.\n"
	    "\n"
	    "Commands:\n");
	for (i = 0; i < NNGMPC_NCMDS; i++) {
		fprintf(f, "  %-8s %s\n", nngmpc_cmds[i]->name,
		    nngmpc_cmds[i]->summary);
	}
	fprintf(f,
	    "\n"
	    "Options:\n"
	    "  -h, --help      show this help\n"
	    "  -V, --version   show the version\n"
	    "\n"
	    "Run 'nngmpc <command> --help' (or 'nngmpc help <command>') for a\n"
	    "command's options.  Exit status: 0 done, 1 failed, 2 bad usage.\n");
}

static const struct nngmpc_cmd *
nngmpc_find(const char *name)
{
	size_t i;

	for (i = 0; i < NNGMPC_NCMDS; i++) {
		if (strcmp(nngmpc_cmds[i]->name, name) == 0) {
			return (nngmpc_cmds[i]);
		}
	}
	return (NULL);
}

static int
nngmpc_unknown(const char *name)
{
	fprintf(stderr,
	    "nngmpc: error: unknown command '%s'\n"
	    "  Run 'nngmpc --help' for the list of commands.\n",
	    name);
	return (NNGMPC_EXIT_USAGE);
}

int
main(int argc, char **argv)
{
	const struct nngmpc_cmd *cmd;

	if (argc < 2) {
		nngmpc_usage(stderr);
		return (NNGMPC_EXIT_USAGE);
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		nngmpc_usage(stdout);
		return (NNGMPC_EXIT_OK);
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("nngmpc %s\n", NNGMPC_VERSION);
		return (NNGMPC_EXIT_OK);
	}
	if (strcmp(argv[1], "help") == 0) {
		char *help[] = { NULL, "--help", NULL };

		if (argc < 3) {
			nngmpc_usage(stdout);
			return (NNGMPC_EXIT_OK);
		}
		if ((cmd = nngmpc_find(argv[2])) == NULL) {
			return (nngmpc_unknown(argv[2]));
		}
		help[0] = argv[2];
		return (cmd->run(2, help));
	}
	if (argv[1][0] == '-') {
		fprintf(stderr,
		    "nngmpc: error: unknown option '%s'\n"
		    "  Run 'nngmpc --help' for usage.\n",
		    argv[1]);
		return (NNGMPC_EXIT_USAGE);
	}
	if ((cmd = nngmpc_find(argv[1])) == NULL) {
		return (nngmpc_unknown(argv[1]));
	}
	return (cmd->run(argc - 1, argv + 1));
}
