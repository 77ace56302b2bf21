/*
 * Calendar dates (YYYY-MM-DD, proleptic Gregorian) as day numbers counted
 * from 1970-01-01, so that comparing and subtracting dates is integer work.
 */
#ifndef CB_BASE_DATE_H
#define CB_BASE_DATE_H

#include <stdint.h>

#define CB_DATE_LEN 11 /* "YYYY-MM-DD" and its NUL */

/* Day number of a valid civil date; no checking. */
int32_t cb_date_from_civil(int year, int month, int day);
void cb_date_to_civil(int32_t days, int *year, int *month, int *day);

/* Days in `month` (1-12) of `year`, or 0 for a month out of range. */
int cb_date_days_in_month(int year, int month);

/* Parses exactly "YYYY-MM-DD" (years 1900-2999) into a day number.
 * Returns 0, or CB_EINVALID with a message naming the text and the reason
 * ("2025-02-30: February 2025 has 28 days"). */
int cb_date_parse(const char *text, int32_t *days);

/* Writes "YYYY-MM-DD" into out (CB_DATE_LEN bytes). */
void cb_date_format(int32_t days, char out[CB_DATE_LEN]);

/* Parses an ISO 8601 date ("2025-03-01", midnight UTC) or date-time with a
 * UTC offset ("2025-03-01T10:30:00+01:00", "...Z", "...+0100"; seconds
 * optional; a space may stand for the T; a fraction of a second must be
 * zero) into Unix seconds, UTC. A date-time without an offset is refused:
 * its instant is unknown. Returns 0 or CB_EINVALID saying why. */
int cb_datetime_parse(const char *text, int64_t *unix_seconds);

/* Writes a Unix time as "YYYY-MM-DDTHH:MM:SSZ" (21 bytes with the NUL). */
#define CB_DATETIME_LEN 21
void cb_datetime_format(int64_t unix_seconds, char out[CB_DATETIME_LEN]);

/* Today in UTC. */
int32_t cb_date_today(void);

#endif
