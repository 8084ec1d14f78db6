/* Trainings (DOMAIN.md §6, issue 8 item 2): a training the NGO gives its
 * members, local authorities or police, or a member gives others — the
 * topics, the audience, the date and place, the facilitator (a member, a
 * staff user or an outside trainer), who attended (members, or outside
 * people with their organization and sex) and their pre/post test scores.
 *
 * Recorded by a representative for her group, a member whose member
 * record has the trainer network role (SCOPE_TRAINER), a caseworker or a
 * supervisor (ACT_TRAINING_CREATE); listed as outreach sessions are
 * (ACT_TRAINING_READ). The names of outside trainers and participants are
 * sealed from the first write; members' names are read from their records.
 *
 * A training given by a member who had the trainer role when it was
 * recorded is a trainer's training; given to representatives it is a
 * cascade training. The figures (ACT_TRAINING_FIGURES): per topic, how many
 * of the active members in reach were trained on it; per trainer, how many
 * trainings she gave and how many people attended, by audience, and whom
 * of the network she trained. */
#ifndef CBPN_DOMAIN_TRAININGS_H
#define CBPN_DOMAIN_TRAININGS_H

#include "domain/cases.h" /* CURSOR_SIZE */
#include "domain/ctx.h"
#include "domain/fields.h"

#define TRAINING_TOPICS_MAX     11 /* every topic of §6, once each */
#define TRAINING_NAME_MAX_CHARS 200
#define TRAINING_SCORE_MAX      100
#define TRAINING_EARLIEST_DATE  "2000-01-01"

/* Exactly one of: member_id; user_id; name with organization. */
struct facilitator_in {
    const char *member_id;
    const char *user_id;
    const char *name, *organization;
};

/* Exactly one of: member_id; name with organization and sex. */
struct participant_in {
    const char *member_id;
    const char *name, *organization;
    const char *sex; /* LIST_SEX; a member's is her record's */
};

struct score_in {
    int participant_index; /* from 0, into participants; -1 when absent */
    int pre, post;         /* 0..100; -1 when absent */
};

/* Declared in training_fields (a POST), read by the API and the page. */
struct training_in {
    const char *date; /* YYYY-MM-DD, from 2000, not in the future */
    const char *topics[TRAINING_TOPICS_MAX];
    int ntopics;               /* 1 or more, each once */
    const char *location_code; /* a commune or a village */
    const char *audience;      /* LIST_AUDIENCE */
    const char *group_id;      /* optional; a member's or representative's own when absent */
    bool has_facilitator;
    struct facilitator_in facilitator;
    struct participant_in participants[TRAINING_PARTICIPANTS_MAX];
    int nparticipants; /* 1 or more */
    struct score_in scores[TRAINING_PARTICIPANTS_MAX];
    int nscores; /* each participant at most once */
};
extern const struct fieldset training_fields;
void training_in_init(struct training_in *in);

struct participant_view {
    struct participant_rec rec;
    /* An outside person's, opened; a member's, from her record. */
    char *name, *organization;
    char *name_km, *name_latn; /* a member's */
};

/* A training as read. */
struct training_view {
    struct training_rec rec;
    const char *topics[TRAINING_TOPICS_MAX]; /* the list's codes, in its order */
    size_t ntopics;
    bool cascade; /* a trainer's training to representatives */
    /* The facilitator's name: an outside trainer's (opened, with her
     * organization), a member's or a user's (display name). */
    char *facilitator_name, *facilitator_organization;
    char *facilitator_name_latn;    /* a member's Latin name */
    struct participant_view *parts; /* NULL in lists */
    size_t nparts;
};
void training_view_free(struct training_view *v);
void training_views_free(struct training_view *v, size_t n);

/* Records a training. ERR_FORBIDDEN when the table refuses the caller (or
 * she is a member without the trainer role); ERR_NOT_FOUND (nothing
 * written) when group_id names a group she may not reach; ERR_VALIDATION
 * with fe for a bad field (a facilitator or participant who is no member
 * or user of the training's organization among them). *out:
 * training_view_free. */
enum err training_create(const struct ctx *cx, const struct training_in *in,
                         struct training_view *out, struct fielderrs *fe);
/* Whether the caller may record trainings now (the table, and for a
 * member the trainer role), and the groups she may record them for (the
 * group list she reads, kept to those ACT_TRAINING_CREATE reaches), by
 * name; staff may also record none. *items: group_list_free. */
enum err training_groups(const struct ctx *cx, bool *may_record, struct group_rec **items,
                         size_t *n);

/* One training with its participants: ERR_NOT_FOUND when absent or out of
 * reach. */
enum err training_get(const struct ctx *cx, const char *id, struct training_view *out);

struct training_query {
    const char *group_id;  /* NULL: every group she reaches */
    const char *from, *to; /* dates, inclusive; NULL: unbounded */
    const char *cursor;    /* NULL: the first page */
    int limit;             /* 0: 50; 1..500 */
};
/* The trainings the caller reaches, newest first, without participants.
 * next_cursor is "" on the last page. */
enum err training_list(const struct ctx *cx, const struct training_query *q,
                       struct training_view **items, size_t *n, char next_cursor[CURSOR_SIZE],
                       struct fielderrs *fe);

/* What a member was trained on: the trainings she attended (newest first,
 * without participants) and the topics they covered (in the list's order).
 * ERR_NOT_FOUND when the member is out of the caller's reach
 * (ACT_MEMBER_READ). */
struct member_training {
    struct training_view *trainings;
    size_t ntrainings;
    const char *topics[TRAINING_TOPICS_MAX];
    size_t ntopics;
};
void member_training_free(struct member_training *m);
enum err training_of_member(const struct ctx *cx, const char *member_id,
                            struct member_training *out);

/* Coverage: of the active members the caller reaches (of one group when
 * group_id is given), how many were trained on each topic (every topic of
 * the list, in its order, 0 included). */
struct topic_coverage {
    const char *topic;
    int members;
    int pct; /* members * 100 / active members, rounded down; 0 when none */
};
struct training_coverage {
    int members;
    struct topic_coverage topics[TRAINING_TOPICS_MAX];
    size_t ntopics;
};
enum err training_coverage(const struct ctx *cx, const char *group_id,
                           struct training_coverage *out);

/* The cascade in reach (of one group, between dates): per trainer, by
 * audience, the trainings and the people who attended; the members she
 * trained; and the totals. */
#define CASCADE_AUDIENCES 5
struct cascade_trainer {
    char member_id[ID_SIZE];
    char *name_km, *name_latn;
    int trainings, participants;
    int by_audience_trainings[CASCADE_AUDIENCES];
    int by_audience_participants[CASCADE_AUDIENCES];
    char (*trained)[ID_SIZE]; /* member ids */
    size_t ntrained;
};
struct training_cascade {
    struct cascade_trainer *trainers; /* by name in the caller's language */
    size_t ntrainers;
    int trainings, participants;                 /* all trainers' */
    int cascade_trainings, cascade_participants; /* to representatives */
};
void training_cascade_free(struct training_cascade *c);
enum err training_cascade(const struct ctx *cx, const char *group_id, const char *from,
                          const char *to, struct training_cascade *out, struct fielderrs *fe);

#endif
