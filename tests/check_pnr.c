/*
 * check_pnr.c: personnummer and samordningsnummer, calendar and age.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pnr.h"

/* Valid numbers (Luhn computed; 191212121212 is Skatteverket's
 * well-known test number). */
START_TEST(test_valid)
{
	static const char *const ok[] = {
		"191212121212", "198504122378", "198802193246",
		"201808145823", "200711233486", "197209052732",
		"200002292126",		/* 29 February 2000: leap (÷400) */
		"198802293244",		/* 29 February 1988 */
	};
	struct pnr_date	 d;
	const char	*why = NULL;
	size_t		 i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		ck_assert_msg(pnr_check(ok[i], &d, &why) == 0, "%s: %s",
		    ok[i], why);
	ck_assert_int_eq(pnr_check("198504122378", &d, &why), 0);
	ck_assert_int_eq(d.year, 1985);
	ck_assert_int_eq(d.month, 4);
	ck_assert_int_eq(d.day, 12);
	ck_assert_int_eq(d.coordination, 0);
}
END_TEST

START_TEST(test_luhn)
{
	const char	*why = NULL;

	ck_assert_int_eq(pnr_luhn("8504122378", 10), 1);
	ck_assert_int_eq(pnr_luhn("8504122377", 10), 0);
	ck_assert_int_eq(pnr_luhn("79927398713", 11), 1); /* the textbook one */
	ck_assert_int_eq(pnr_luhn("79927398710", 11), 0);
	ck_assert_int_eq(pnr_luhn("0", 1), 1);
	ck_assert_int_eq(pnr_luhn("85041a2378", 10), 0);
	ck_assert_int_eq(pnr_luhn("123", 0), 0);
	/* Every wrong check digit is refused. */
	for (char c = '0'; c <= '9'; c++) {
		char s[] = "198504122378";

		s[11] = c;
		ck_assert_int_eq(pnr_check(s, NULL, &why) == 0, c == '8');
	}
	ck_assert_int_eq(pnr_check("198504122379", NULL, &why), -1);
	ck_assert_str_eq(why, "check digit does not match");
	/* Swapping two digits changes the check. */
	ck_assert_int_eq(pnr_check("198504122738", NULL, &why), -1);
}
END_TEST

START_TEST(test_form)
{
	const char	*why = NULL;

	ck_assert_int_eq(pnr_check("", NULL, &why), -1);
	ck_assert_str_eq(why, "not 12 digits");
	ck_assert_int_eq(pnr_check("8504122378", NULL, &why), -1);
	ck_assert_str_eq(why, "not 12 digits");
	ck_assert_int_eq(pnr_check("19850412-2378", NULL, &why), -1);
	ck_assert_int_eq(pnr_check("1985041223780", NULL, &why), -1);
	ck_assert_int_eq(pnr_check("19850412237x", NULL, &why), -1);
	ck_assert_str_eq(why, "not 12 digits");
}
END_TEST

/* A number with the right check digit but an impossible date. */
static void
expect_bad_date(const char *date8)
{
	char		 s[13];
	const char	*why = NULL;
	int		 c;

	/* Find the check digit that makes Luhn hold, so only the date
	 * can be wrong. */
	for (c = '0'; c <= '9'; c++) {
		snprintf(s, sizeof(s), "%s123%c", date8, c);
		if (pnr_luhn(s + 2, 10))
			break;
	}
	ck_assert_int_eq(pnr_check(s, NULL, &why), -1);
	ck_assert_msg(strcmp(why, "not a calendar date") == 0, "%s: %s", s,
	    why);
}

START_TEST(test_dates)
{
	expect_bad_date("19850230");	/* 30 February */
	expect_bad_date("19000229");	/* 1900 is not a leap year */
	expect_bad_date("20230229");
	expect_bad_date("19851301");	/* month 13 */
	expect_bad_date("19850001");	/* month 0 */
	expect_bad_date("19850400");	/* day 0 */
	expect_bad_date("19850431");	/* 31 April */
	expect_bad_date("19850460");	/* day 60: neither kind */
	expect_bad_date("19850491");	/* samordningsnummer 31 April */
	expect_bad_date("19850292");	/* samordningsnummer day 32 */
	expect_bad_date("20230289");	/* samordningsnummer 29 Feb 2023 */
}
END_TEST

START_TEST(test_coordination)
{
	struct pnr_date	 d;
	const char	*why = NULL;

	/* 1990-01-01 + 60 → day 61 */
	ck_assert_int_eq(pnr_check("199001612341", &d, &why), 0);
	ck_assert_int_eq(d.year, 1990);
	ck_assert_int_eq(d.month, 1);
	ck_assert_int_eq(d.day, 1);
	ck_assert_int_eq(d.coordination, 1);
	ck_assert_int_eq(pnr_check("199001612342", &d, &why), -1);
	ck_assert_str_eq(why, "check digit does not match");
}
END_TEST

START_TEST(test_days_in_month)
{
	ck_assert_int_eq(pnr_days_in_month(2023, 1), 31);
	ck_assert_int_eq(pnr_days_in_month(2023, 2), 28);
	ck_assert_int_eq(pnr_days_in_month(2024, 2), 29);
	ck_assert_int_eq(pnr_days_in_month(2000, 2), 29);
	ck_assert_int_eq(pnr_days_in_month(1900, 2), 28);
	ck_assert_int_eq(pnr_days_in_month(2023, 4), 30);
	ck_assert_int_eq(pnr_days_in_month(2023, 12), 31);
	ck_assert_int_eq(pnr_days_in_month(2023, 0), 0);
	ck_assert_int_eq(pnr_days_in_month(2023, 13), 0);
}
END_TEST

START_TEST(test_age)
{
	struct pnr_date	 b = { 2016, 3, 1, 0 };
	struct pnr_date	 leap = { 2020, 2, 29, 0 };

	ck_assert_int_eq(pnr_age_on(&b, 2023, 3, 1), 7);   /* birthday */
	ck_assert_int_eq(pnr_age_on(&b, 2023, 2, 28), 6);  /* the day before */
	ck_assert_int_eq(pnr_age_on(&b, 2023, 2, 1), 6);
	ck_assert_int_eq(pnr_age_on(&b, 2016, 3, 1), 0);
	ck_assert_int_eq(pnr_age_on(&b, 2016, 2, 29), -1); /* not yet born */
	ck_assert_int_eq(pnr_age_on(&b, 2010, 1, 1), -7);
	/* Born 29 February: a year older from 1 March in common years. */
	ck_assert_int_eq(pnr_age_on(&leap, 2023, 2, 28), 2);
	ck_assert_int_eq(pnr_age_on(&leap, 2023, 3, 1), 3);
	ck_assert_int_eq(pnr_age_on(&leap, 2024, 2, 29), 4);
}
END_TEST

static Suite *
pnr_suite(void)
{
	Suite	*s = suite_create("pnr");
	TCase	*tc = tcase_create("pnr");

	tcase_add_test(tc, test_valid);
	tcase_add_test(tc, test_luhn);
	tcase_add_test(tc, test_form);
	tcase_add_test(tc, test_dates);
	tcase_add_test(tc, test_coordination);
	tcase_add_test(tc, test_days_in_month);
	tcase_add_test(tc, test_age);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(pnr_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
