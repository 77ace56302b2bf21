/* casebook session: placeholder until its implementation lands. */
#include "cli/cli.h"

#include "base/error.h"

int cb_cli_session(cb_cli *cli, int argc, char **argv)
{
	(void)argc, (void)argv;
	cb_error_set(CB_ERROR, "'session' is not built yet");
	return cb_cli_fail(cli);
}
