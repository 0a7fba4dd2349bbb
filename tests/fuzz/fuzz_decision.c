/*
 * fuzz_decision.c: a struct decision built from the bytes — lines,
 * reasons, texts, amounts, times — through decision_render(); then
 * decision_by_caseworker() on the rendered document with a fuzzed
 * outcome, amount, CN and motivation. Nothing may crash; texts that are
 * not UTF-8 may make either call fail cleanly.
 *
 * Input: a small header of fixed-width fields, then NUL-separated
 * strings (the texts, refs, codes, CN, motivation), taken in turn.
 *
 * With FUZZ_DECISION_STRICT set in the environment, a rendered
 * document that is not well-formed XML, or that decision_by_caseworker
 * refuses, is a finding (abort).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "decision.h"
#include "fuzz_common.h"

static int strict;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	app_xml_harden();
	strict = getenv("FUZZ_DECISION_STRICT") != NULL;
	return 0;
}

struct in {
	const uint8_t	*p;
	size_t		 n;
};

static uint64_t
in_u(struct in *in, size_t w)
{
	uint64_t v = 0;

	while (w-- > 0) {
		v <<= 8;
		if (in->n > 0) {
			v |= *in->p++;
			in->n--;
		}
	}
	return v;
}

/* The next NUL-terminated string (copied); "" at the end. */
static char *
in_s(struct in *in)
{
	const uint8_t	*z = memchr(in->p, '\0', in->n);
	size_t		 l = z != NULL ? (size_t)(z - in->p) : in->n;
	char		*s;

	if ((s = malloc(l + 1)) == NULL)
		abort();
	memcpy(s, in->p, l);
	s[l] = '\0';
	in->p += l;
	in->n -= l;
	if (in->n > 0) {
		in->p++;
		in->n--;
	}
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in	 in = { data, size };
	struct decision	 d;
	char		*out = NULL, *out2 = NULL, *s, *t, *cn, *mot;
	size_t		 outlen = 0, outlen2 = 0, i, nlines, nreasons;
	uint64_t	 flags;
	xmlDocPtr	 x;

	memset(&d, 0, sizeof(d));
	flags = in_u(&in, 2);
	nlines = in_u(&in, 1) % 16;
	nreasons = in_u(&in, 1) % 20;
	d.outcome = (enum dec_outcome)(flags & 3);
	d.has_amount = (flags >> 2) & 1;
	d.has_need = (flags >> 3) & 1;
	d.urgent = (flags >> 4) & 1;
	d.follow_up = (flags >> 5) & 1;
	d.amount = (app_amount)in_u(&in, 8);
	d.need = (app_amount)in_u(&in, 8);
	d.decided_at = (int64_t)in_u(&in, 5);
	d.due = (int64_t)in_u(&in, 5);
	d.follow_up_due = (int64_t)in_u(&in, 5);
	d.norm_year = (int)in_u(&in, 2);
	s = in_s(&in);
	snprintf(d.application_id, sizeof(d.application_id), "%s", s);
	free(s);
	s = in_s(&in);
	snprintf(d.ruleset, sizeof(d.ruleset), "%s", s);
	free(s);
	if ((flags >> 6) & 1)
		d.decided_by = in_s(&in);
	if ((flags >> 7) & 1)
		d.motivation = in_s(&in);
	for (i = 0; i < nlines; i++) {
		enum dec_line_kind k = (enum dec_line_kind)(in_u(&in, 1) % 5);
		app_amount a = (app_amount)in_u(&in, 4);

		s = in_s(&in);
		t = in_s(&in);
		(void)decision_add_line(&d, k, a, s, (flags >> 8) & 1 ?
		    NULL : t);
		free(s);
		free(t);
	}
	for (i = 0; i < nreasons; i++) {
		uint64_t c = in_u(&in, 1);

		s = in_s(&in);
		if (c < DECISION_NREASONS) {
			t = strdup(decision_reason_code((int)c));
		} else
			t = in_s(&in);
		(void)decision_add_reason(&d, t,
		    (flags >> 9) & 1 ? decision_reason_text(t) : s);
		free(s);
		free(t);
	}
	cn = in_s(&in);
	mot = in_s(&in);

	if (decision_render(&d, &out, &outlen) == 0) {
		FUZZ_CHECK(out != NULL);
		if (strict) {
			x = xmlReadMemory(out, (int)outlen, NULL, "UTF-8",
			    XML_PARSE_NONET);
			FUZZ_CHECK(x != NULL);
			xmlFreeDoc(x);
		}
		if (decision_by_caseworker(out, outlen,
		    (enum dec_outcome)((flags >> 10) & 3), (flags >> 12) & 1,
		    d.amount, cn, d.decided_at + 60, mot, &out2,
		    &outlen2) == 0) {
			FUZZ_CHECK(out2 != NULL);
			if (strict) {
				x = xmlReadMemory(out2, (int)outlen2, NULL,
				    "UTF-8", XML_PARSE_NONET);
				FUZZ_CHECK(x != NULL);
				xmlFreeDoc(x);
			}
			free(out2);
		}
		free(out);
	}
	/* And on the fuzz bytes themselves as "the current document". */
	if (decision_by_caseworker((const char *)data, size, DEC_DENIED, 0, 0,
	    "cn", 0, "m", &out2, &outlen2) == 0)
		free(out2);
	free(cn);
	free(mot);
	decision_free(&d);
	return 0;
}
