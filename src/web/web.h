/* The pages: server-rendered HTML for the browser (sign-in, my cases,
 * report a concern, a case), the built-in assets, and the error pages the
 * server shows for page routes. Every string comes from the catalogs
 * (i18n/), every value is written through the escaping writer (web/html.h),
 * and every task works without JavaScript. */
#ifndef CBPN_WEB_WEB_H
#define CBPN_WEB_WEB_H

#include <stddef.h>

#include "http/http.h"

/* The page routes, for the server's route table. */
extern const struct route web_routes[];
extern const size_t web_nroutes;

/* An error page for e (status, title and text only: the request is never
 * echoed). Fits struct server_config's error_page. */
void web_error_page(struct req *r, struct resp *w, enum err e);
/* A page form sent after its session ended: the sign-in page carrying what
 * was typed. Fits struct server_config's resume_page. */
void web_resume_page(struct req *r, struct resp *w);

#endif
