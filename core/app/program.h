/* Use cases for training programs: checked input, then the store. */
#ifndef CB_APP_PROGRAM_H
#define CB_APP_PROGRAM_H

#include "app/workspace.h"
#include "store/program.h"

/* Checks a program's fields (key, name, optional description). Returns 0
 * or CB_EINVALID naming the field. */
int cb_app_program_validate(const cb_program *p);

/* Checks and adds one program. */
int cb_app_program_add(cb_workspace *ws, const cb_program *p);

#endif
