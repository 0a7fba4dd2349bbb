/*
 * pnr.c: Swedish personnummer and samordningsnummer (12-digit form).
 *
 * The check digit is the Luhn digit of the 10-digit form YYMMDDNNN, so
 * the century is not covered by it; the date is checked separately,
 * with the Gregorian calendar (the only one a living person was born
 * under). A samordningsnummer is a personnummer whose day has 60 added.
 */
#include <stddef.h>

#include "pnr.h"

int
pnr_luhn(const char *digits, int n)
{
	int	 i, d, sum = 0;

	if (digits == NULL || n <= 0)
		return 0;
	/* From the right: the check digit counts once, its neighbour
	 * twice, and so on; a doubled digit above 9 counts its digit sum. */
	for (i = 0; i < n; i++) {
		if (digits[n - 1 - i] < '0' || digits[n - 1 - i] > '9')
			return 0;
		d = digits[n - 1 - i] - '0';
		if (i % 2 == 1 && (d *= 2) > 9)
			d -= 9;
		sum += d;
	}
	return sum % 10 == 0;
}

int
pnr_days_in_month(int year, int month)
{
	static const int days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int	 leap;

	if (month < 1 || month > 12)
		return 0;
	leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return days[month - 1] + (month == 2 && leap);
}

static int
pnr_num(const char *s, int n)
{
	int	 v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

int
pnr_check(const char *s, struct pnr_date *out, const char **why)
{
	struct pnr_date	 d;
	int		 i;

	for (i = 0; i < 12; i++)
		if (s[i] < '0' || s[i] > '9')
			break;
	if (i != 12 || s[12] != '\0') {
		*why = "not 12 digits";
		return -1;
	}
	d.year = pnr_num(s, 4);
	d.month = pnr_num(s + 4, 2);
	d.day = pnr_num(s + 6, 2);
	d.coordination = d.day > 60;
	if (d.coordination)
		d.day -= 60;
	if (d.month < 1 || d.month > 12 || d.day < 1 ||
	    d.day > pnr_days_in_month(d.year, d.month)) {
		*why = "not a calendar date";
		return -1;
	}
	if (!pnr_luhn(s + 2, 10)) {
		*why = "check digit does not match";
		return -1;
	}
	if (out != NULL)
		*out = d;
	return 0;
}

/*
 * Comparing (month, day) means that someone born on 29 February gets
 * a year older on 1 March in a common year. The daemon only asks about
 * the first day of a month, where every convention agrees.
 * Negative when the birth is after the date.
 */
int
pnr_age_on(const struct pnr_date *birth, int y, int m, int d)
{
	int	 age = y - birth->year;

	if (m < birth->month || (m == birth->month && d < birth->day))
		age--;
	return age;
}
