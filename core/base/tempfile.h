/*
 * Unnamed temporary files, for work that spills past a memory budget (an
 * import's sorted runs, an impact's event-study columns).
 */
#ifndef CB_BASE_TEMPFILE_H
#define CB_BASE_TEMPFILE_H

/* A file open for reading and writing in folder `dir` that has no name: it
 * is gone when closed, or when the process dies. O_TMPFILE where the file
 * system has it, else a mkstemp name unlinked at once. Put it beside the
 * workspace (a disk with room), not in a /tmp that may be memory. Returns
 * the descriptor (close-on-exec), or -1 with the error set (CB_EIO, naming
 * `dir` and `what` the file is for). */
int cb_tempfile_open(const char *dir, const char *what);

#endif
