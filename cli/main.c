/* SPDX-License-Identifier: MIT */
/* The `cleanroom` command: everything lives in the CLI module. */
#include "cli.h"

int main(int argc, char **argv) { return cr_cli_main(argc, argv); }
