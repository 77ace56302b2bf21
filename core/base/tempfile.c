#define _GNU_SOURCE /* O_TMPFILE */
#include "base/tempfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"

int cb_tempfile_open(const char *dir, const char *what)
{
	int fd = -1;

#ifdef O_TMPFILE
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
	if (fd < 0) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/.casebook-tmp-XXXXXX", dir);
		fd = mkostemp(path, O_CLOEXEC);
		if (fd >= 0)
			unlink(path);
	}
	if (fd < 0)
		cb_error_set(CB_EIO, "cannot make a temporary file in %s for %s: %s", dir, what,
			     strerror(errno));
	return fd;
}
