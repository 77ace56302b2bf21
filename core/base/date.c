/*
 * Civil dates. The conversion counts 400-year eras of 146097 days, with the
 * year starting in March so that the leap day falls last (the well-known
 * "days from civil" arithmetic, written out here).
 */
#include "base/date.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/error.h"

static const char *const month_names[12] = {
	"January", "February", "March",     "April",   "May",      "June",
	"July",    "August",   "September", "October", "November", "December"};

int32_t cb_date_from_civil(int year, int month, int day)
{
	int y = year - (month <= 2);
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int mp = (month + 9) % 12; /* March is 0 */
	int doy = (153 * mp + 2) / 5 + day - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (int32_t)(era * 146097 + doe - 719468);
}

void cb_date_to_civil(int32_t days, int *year, int *month, int *day)
{
	int32_t z = days + 719468;
	int32_t era = (z >= 0 ? z : z - 146096) / 146097;
	int32_t doe = z - era * 146097;
	int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int32_t mp = (5 * doy + 2) / 153;
	int32_t m = mp < 10 ? mp + 3 : mp - 9;

	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)m;
	*year = (int)(yoe + era * 400 + (m <= 2));
}

int cb_date_days_in_month(int year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31};
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	if (month < 1 || month > 12)
		return 0;
	return days[month - 1] + (month == 2 && leap);
}

static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int cb_date_parse(const char *text, int32_t *days)
{
	int year, month, day, dim;

	if (!text || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
		return cb_error_set(CB_EINVALID,
				    "'%.40s' is not a date: write YYYY-MM-DD",
				    text ? text : "");
	year = digits(text, 4);
	month = digits(text + 5, 2);
	day = digits(text + 8, 2);
	if (year < 0 || month < 0 || day < 0)
		return cb_error_set(CB_EINVALID,
				    "'%s' is not a date: write YYYY-MM-DD", text);
	if (year < 1900 || year > 2999)
		return cb_error_set(CB_EINVALID,
				    "%s: year %d is outside 1900-2999", text, year);
	if (month < 1 || month > 12)
		return cb_error_set(CB_EINVALID,
				    "%s: there is no month %d", text, month);
	dim = cb_date_days_in_month(year, month);
	if (day < 1 || day > dim)
		return cb_error_set(CB_EINVALID, "%s: %s %d has %d days", text,
				    month_names[month - 1], year, dim);
	*days = cb_date_from_civil(year, month, day);
	return 0;
}

void cb_date_format(int32_t days, char out[CB_DATE_LEN])
{
	int y, m, d;

	cb_date_to_civil(days, &y, &m, &d);
	snprintf(out, CB_DATE_LEN, "%04d-%02d-%02d", y % 10000, m, d);
}

int32_t cb_date_today(void)
{
	return (int32_t)(time(NULL) / 86400);
}

/* Reads exactly n digits at *p, advancing; -1 when they are not digits. */
static int take_digits(const char **p, int n)
{
	int v = digits(*p, n);

	if (v >= 0)
		*p += n;
	return v;
}

int cb_datetime_parse(const char *text, int64_t *unix_seconds)
{
	char date[CB_DATE_LEN];
	const char *p;
	int32_t days;
	int hh, mm, ss = 0, sign, oh, om;
	int64_t t;

	if (!text || strlen(text) < 10)
		return cb_error_set(CB_EINVALID, "'%.40s' is not a date or date-time: write "
				    "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+HH:MM", text ? text : "");
	memcpy(date, text, 10);
	date[10] = '\0';
	if (cb_date_parse(date, &days) < 0)
		return CB_EINVALID;
	t = (int64_t)days * 86400;
	if (text[10] == '\0') {
		*unix_seconds = t;
		return 0;
	}
	p = text + 10;
	if (*p != 'T' && *p != 't' && *p != ' ')
		goto bad;
	p++;
	if ((hh = take_digits(&p, 2)) < 0 || *p++ != ':' || (mm = take_digits(&p, 2)) < 0)
		goto bad;
	if (*p == ':') {
		p++;
		if ((ss = take_digits(&p, 2)) < 0)
			goto bad;
		if (*p == '.' || *p == ',') {
			const char *f = ++p;

			while (*p >= '0' && *p <= '9')
				if (*p++ != '0')
					return cb_error_set(CB_EINVALID,
							    "%.40s: fractions of a second are not kept; round the time to whole seconds",
							    text);
			if (p == f)
				goto bad;
		}
	}
	if (hh > 23 || mm > 59 || ss > 59)
		return cb_error_set(CB_EINVALID, "%.40s: no such time of day", text);
	t += hh * 3600 + mm * 60 + ss;
	if (*p == 'Z' || *p == 'z') {
		if (p[1])
			goto bad;
		*unix_seconds = t;
		return 0;
	}
	if (*p == '\0')
		return cb_error_set(CB_EINVALID,
				    "%.40s: a date-time needs its UTC offset (Z, or +01:00 and the like)",
				    text);
	if (*p != '+' && *p != '-')
		goto bad;
	sign = *p++ == '-' ? -1 : 1;
	if ((oh = take_digits(&p, 2)) < 0)
		goto bad;
	if (*p == ':')
		p++;
	if ((om = take_digits(&p, 2)) < 0 || *p)
		goto bad;
	if (oh > 14 || om > 59)
		return cb_error_set(CB_EINVALID, "%.40s: no such UTC offset", text);
	*unix_seconds = t - sign * (int64_t)(oh * 3600 + om * 60);
	return 0;
bad:
	return cb_error_set(CB_EINVALID, "'%.40s' is not a date or date-time: write "
			    "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+HH:MM", text);
}

void cb_datetime_format(int64_t unix_seconds, char out[CB_DATETIME_LEN])
{
	int64_t days = unix_seconds >= 0 ? unix_seconds / 86400 : -((-unix_seconds + 86399) / 86400);
	int64_t rest = unix_seconds - days * 86400;
	char date[CB_DATE_LEN];

	cb_date_format((int32_t)days, date);
	snprintf(out, CB_DATETIME_LEN, "%sT%02d:%02d:%02dZ", date, (int)(rest / 3600),
		 (int)(rest / 60 % 60), (int)(rest % 60));
}
