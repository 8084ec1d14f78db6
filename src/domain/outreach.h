/* Outreach sessions (DOMAIN.md §6, issue 8 item 3): awareness sessions a
 * network group gives in a village — the date, the village, the topics
 * covered and the attendance by sex and under-18. A member or
 * representative records and lists her own group's (ACT_OUTREACH_*, scope
 * of the group); caseworkers and supervisors their organization's groups';
 * an admin lists all. */
#ifndef CBPN_DOMAIN_OUTREACH_H
#define CBPN_DOMAIN_OUTREACH_H

#include "domain/cases.h" /* CURSOR_SIZE */
#include "domain/ctx.h"
#include "domain/fields.h"

#define OUTREACH_TOPICS_MAX     11 /* every topic of §6, once each */
#define OUTREACH_ATTENDANCE_MAX 10000
#define OUTREACH_EARLIEST_DATE  "2000-01-01"

/* Who came. under_18 counts people already counted in female or male, so
 * it is at most female + male. */
struct attendance_in {
    int female, male, under_18; /* -1 when absent */
};

/* Declared in outreach_fields (a POST), read by the API and the page. */
struct outreach_in {
    const char *date;          /* YYYY-MM-DD, from 2000, not in the future */
    const char *location_code; /* a village of the gazetteer */
    const char *group_id;      /* a group the caller reaches */
    const char *topics[OUTREACH_TOPICS_MAX];
    int ntopics; /* 1 or more, each once */
    bool has_attendance;
    struct attendance_in attendance;
};
extern const struct fieldset outreach_fields;
void outreach_in_init(struct outreach_in *in);

/* Records a session. ERR_FORBIDDEN when the table refuses the caller;
 * ERR_NOT_FOUND (nothing written) when group_id names a group she may not
 * reach or none; ERR_VALIDATION with fe for a bad field (one that names no
 * group among them). *out: outreach_rec_free. */
enum err outreach_create(const struct ctx *cx, const struct outreach_in *in,
                         struct outreach_rec *out, struct fielderrs *fe);

struct outreach_query {
    const char *group_id;  /* NULL: every group she reaches */
    const char *from, *to; /* dates, inclusive; NULL: unbounded */
    const char *cursor;    /* NULL: the first page */
    int limit;             /* 0: 50; 1..500 */
};
/* The sessions the caller reaches, newest first (the session's date, then
 * when recorded). next_cursor is "" on the last page. A group_id she may
 * not reach (or none) is ERR_NOT_FOUND; bad dates, limit or cursor field
 * errors. *items: outreach_list_free. */
enum err outreach_list(const struct ctx *cx, const struct outreach_query *q,
                       struct outreach_rec **items, size_t *n, char next_cursor[CURSOR_SIZE],
                       struct fielderrs *fe);

/* The groups the caller may record sessions for (the group list she reads,
 * kept to those ACT_OUTREACH_CREATE reaches), by name. *items:
 * group_list_free. */
enum err outreach_groups(const struct ctx *cx, struct group_rec **items, size_t *n);

/* The latest day anywhere on Earth now (UTC+14), into out: a session
 * dated that day is not in the future. */
void outreach_latest_today(char out[DATE_SIZE]);

#endif
