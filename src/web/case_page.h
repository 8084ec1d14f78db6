/* The case page and what its parts share (web/case_show.c,
 * web/case_actions.c, web/case_records.c). Internal to web/. */
#ifndef CBPN_WEB_CASE_PAGE_H
#define CBPN_WEB_CASE_PAGE_H

#include "domain/cases.h"
#include "web/page.h"

/* How the case page is shown again after one of its forms was sent. */
struct case_page_opts {
    int status;       /* the answer's status (422, 409); 0: 200 */
    const char *form; /* the form sent: "note", "task", "assign", "closure",
                       * "approve", "reopen"; NULL: none */
    enum msg problem; /* what was wrong with it (0: nothing) */
    bool resumed;     /* shown again after a sign-in: its fields as typed */
};

/* GET /cases/{id}, or the page again with o (NULL: as is). The values typed
 * in o->form are taken from the request's form fields. */
void case_page(struct req *r, struct resp *w, const char *id, const struct case_page_opts *o);
/* The incidents and screenings of the case (web/case_records.c). age: the
 * survivor's today, -1 when unknown. */
void case_records(struct req *r, struct resp *w, const struct case_view *v, int age);

/* Whether the caller may do a (the permission table). */
bool may_act(const struct req *r, enum action a);
/* Whether user u is one a case can be assigned to (a role that works on
 * what is assigned to it, by the permission table). */
bool case_assignable(const struct user_rec *u, const char *org);
void h_case_status(struct req *r, struct buf *b, const char *status);
void h_case_concerns(struct req *r, struct buf *b, const struct case_rec *c);
/* <span class=cls id=id>text</span> */
void h_badge(struct buf *b, const char *cls, const char *id, const char *text);

#endif
