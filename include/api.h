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

/* api_audit.c: the auditor's view of the trail. */
void	api_audit_get(struct hreq *);

#endif
