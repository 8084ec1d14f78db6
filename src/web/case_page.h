/* The case page and what its parts share (web/case_show.c,
 * web/case_actions.c, web/case_records.c). Internal to web/. */
#ifndef CBPN_WEB_CASE_PAGE_H
#define CBPN_WEB_CASE_PAGE_H

#include "domain/cases.h"
#include "domain/casework.h"
#include "web/page.h"

/* Everything the case page shows, read before anything is written. */
struct case_data {
    struct case_dossier dos; /* the case, its records and timeline */
    struct user_rec *users;  /* her organization's, when she may list them */
    size_t nusers;
    int age; /* the survivor's today, -1 unknown */
};

/* How the case page is shown again after one of its forms was sent. */
struct case_page_opts {
    int status;       /* the answer's status (422, 409); 0: 200 */
    const char *form; /* the form sent: "note", "task", "assign", "closure",
                       * "approve", "reopen", "consent", "withdraw", "refer";
                       * NULL: none */
    enum msg problem; /* what was wrong with it (0: nothing) */
    bool resumed;     /* shown again after a sign-in: its fields as typed */
};

/* GET /cases/{id}, or the page again with o (NULL: as is). The values typed
 * in o->form are taken from the request's form fields. */
void case_page(struct req *r, struct resp *w, const char *id, const struct case_page_opts *o);
/* The incidents and screenings of the case, oldest first (web/case_records.c). */
void case_records(struct req *r, struct resp *w, const struct case_data *d);
/* A user's display name: from her organization's list, the caller herself,
 * else NULL. */
const char *case_user_name(const struct req *r, const struct case_data *d, const char *id);
/* The label of a screening indicator in the request's language: the Khmer
 * of the PO catalog by its code, else the catalog's English; the code
 * itself when the catalog does not know it. Static. */
const char *indicator_label(const struct req *r, const char *code);

/* The pieces of the case page's forms (web/case_show.c). */
/* The problem of form (and the resumed notice), when it is the one sent. */
void case_form_problem(struct req *r, struct buf *b, const struct case_page_opts *o,
                       const char *form);
/* The value of field name as typed in form when the page is shown again
 * after it was sent; else NULL. */
const char *case_draft(const struct req *r, const struct case_page_opts *o, const char *form,
                       const char *name);
/* <form method=post action="/cases/CASE_ID/what" id=id> with its CSRF field. */
void case_form_open(struct req *r, struct resp *w, const char *id, const char *what,
                    const char *case_id);
void case_textarea(struct req *r, struct buf *b, const char *id, const char *name, enum msg label,
                   bool optional, const char *value, const char *maxlength);
/* The submit button, and </form>. */
void case_submit(struct req *r, struct buf *b, const char *id, enum msg label);

/* The consent records of the case with their forms, and its referrals
 * with the form to refer (web/case_referrals.c). */
void case_consents(struct req *r, struct resp *w, const struct case_data *d,
                   const struct case_page_opts *o);
void case_referrals(struct req *r, struct resp *w, const struct case_data *d,
                    const struct case_page_opts *o);

struct referral_view;
/* A referral's status, labelled. */
void h_referral_status(struct req *r, struct buf *b, const char *status);
/* A table of referrals v[0..n), each linked to its page; with_code: the
 * first column is the survivor code (the lists), else the date sent (the
 * case page). */
void h_referral_table(struct req *r, struct buf *b, const char *id, const struct referral_view *v,
                      size_t n, bool with_code);

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
