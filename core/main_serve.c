/* casebook-serve: `casebook serve`, the one command that links the HTTP
 * server (core/serve, libmicrohttpd and its TLS library). casebook runs
 * it with its own command line (cb_cli_main_with). */
#include "cli/cli.h"

int main(int argc, char **argv)
{
	return cb_cli_main_with(argc, argv, cb_cli_serve);
}
