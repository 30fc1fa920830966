/* SPDX-License-Identifier: MIT */
#ifndef CR_LAUNCHER_CLI_H
#define CR_LAUNCHER_CLI_H

/* Parse the command line, run the command, return the exit status. */
int cr_cli_main(int argc, char **argv);

#endif
