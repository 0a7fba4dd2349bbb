/*
 * pnr.h: Swedish personnummer and samordningsnummer, 12-digit form.
 *
 * YYYYMMDDNNNC: C is the Luhn check digit over the last ten digits
 * (YYMMDDNNN). A samordningsnummer has day + 60. pnr_check() accepts
 * both and requires a real calendar date.
 */
#ifndef BISTAND_PNR_H
#define BISTAND_PNR_H

struct pnr_date {
	int	year;
	int	month;
	int	day;		/* the real day: 60 already subtracted */
	int	coordination;	/* 1 for a samordningsnummer */
};

/* Luhn over n ASCII digits; returns 1 when the last digit checks. */
int	pnr_luhn(const char *digits, int n);
/* 0 when s is a valid 12-digit number (date and check digit), else -1
 * with a short English reason in *why (static storage). */
int	pnr_check(const char *s, struct pnr_date *out, const char **why);
/* Whole years of age on y-m-d (e.g. the first day of a period). */
int	pnr_age_on(const struct pnr_date *birth, int y, int m, int d);
/* Days in a month of a year, Gregorian. */
int	pnr_days_in_month(int year, int month);

#endif
