/* Inside the cases module: what cases.c shares with casework.c and
 * notes.c (the views, reach, the survivor's sealing and blind index).
 * Internal to src/domain/. */
#ifndef CBPN_DOMAIN_CASES_INT_H
#define CBPN_DOMAIN_CASES_INT_H

#include <stdbool.h>

#include "auth/perm.h"
#include "domain/cases.h"

/* Whether the caller reaches case r under action a. */
bool case_reached(const struct ctx *cx, enum action a, const struct case_rec *r);
/* The caller's reach under a as a case filter's bounds; false: no case. */
bool case_bounds(const struct ctx *cx, enum action a, struct case_filter *f);
/* Moves rec into v: the limited view, or with detail everything, the
 * sealed parts opened when open_sealed. rec is left zeroed. */
enum err view_make(const struct ctx *cx, struct case_rec *rec, bool detail, bool open_sealed,
                   struct case_view *v);
/* Opens the sealed identity and reads the demographics of rec into s. */
enum err survivor_open(const struct ctx *cx, const struct case_rec *rec, struct survivor_view *s);
void survivor_view_free(struct survivor_view *s);
/* The rules across a survivor's fields, after fields_check. */
enum err survivor_validate(const struct survivor_in *s, struct fielderrs *fe);
/* Fills the survivor record: identity sealed under the case id, the
 * demographics plain. */
enum err survivor_fill(const struct ctx *cx, const char *case_id, const struct survivor_in *s,
                       struct survivor_rec *out);
/* Writes the survivor's blind index for the case (replace: instead of the
 * keys it had), inside the caller's transaction. */
enum err survivor_keys_write(const struct ctx *cx, const char *case_id, const struct survivor_in *s,
                             bool replace);
/* The associated data of a case's sealed summary, and of its timeline
 * texts (caller frees). */
char *summary_ad(const char *id);
/* Audits a read of the case (detail: what was read, a code), in a
 * transaction of its own or the caller's. */
enum err case_read_audited(const struct ctx *cx, const char *case_id, const char *what);
/* The lists without an audit entry of their own: for the dossier, whose
 * read of the case case_get audits. */
struct task_view;
struct consent_view;
enum err task_list_unaudited(const struct ctx *cx, const char *case_id, struct task_view **items,
                             size_t *n);
enum err consent_list_unaudited(const struct ctx *cx, const char *case_id,
                                struct consent_view **items, size_t *n);
char *event_ad(const char *case_id);
/* The 3-letter prefix of case codes from a district's Latin name (Kralanh
 * -> KRL), into out[4]. */
void case_code_prefix(const char *latn, char out[4]);

#endif
