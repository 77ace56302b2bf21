/* casebook: the executable is the command line and nothing else. */
#include "cli/cli.h"

int main(int argc, char **argv)
{
	return cb_cli_main(argc, argv);
}
