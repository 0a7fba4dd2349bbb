/*
 * api.h: route handlers, one file per resource (api_*.c). The routing
 * table and the role check live in http.c; a handler runs only for a
 * caller whose role the table allows, and must reply exactly once.
 */
#ifndef BISTAND_API_H
#define BISTAND_API_H

struct hreq;

/* api_applications.c: the e-service's resource. */
void	api_application_submit(struct hreq *);
void	api_application_get(struct hreq *);

/* api_cases.c: the caseworkers' queue and cases. */
void	api_queue_get(struct hreq *);
void	api_case_get(struct hreq *);
void	api_case_claim(struct hreq *);
void	api_case_release(struct hreq *);
void	api_case_assign(struct hreq *);
void	api_case_decide(struct hreq *);
void	api_case_complete(struct hreq *);

/* api_audit.c: the auditor's view of the trail. */
void	api_audit_get(struct hreq *);

#endif
