/* The Siem Reap demo network (cbpn demo): one NGO, its service providers,
 * eight network groups in Puok and Kralanh districts with their members, the
 * demo users and a few dozen reported cases. Every person, phone number,
 * organization and story in it is fictional (docs/demo.md).
 *
 * Everything is made through the domain functions (org_create, group_create,
 * member_add, user_create, case_report), so it is validated, sealed and
 * audited like any other record. The content is deterministic: the same
 * names, members and cases every run; only the passwords are random. */
#ifndef CBPN_CLI_DEMO_H
#define CBPN_CLI_DEMO_H

#include <stddef.h>
#include <stdio.h>

#include "crypto/crypto.h"
#include "store/store.h"
#include "util/err.h"

struct places;

/* Fills an initialised, empty database with the demo network. password: the
 * password for every demo user (at least PASSWORD_MIN_CHARS), or NULL to
 * generate one per user (random, 16 characters) and write
 * "username<TAB>password\n" lines to passwords_out, one per user, in the
 * order of demo_users. The database must hold no users and no groups yet:
 * otherwise ERR_CONFLICT and nothing is written. Each record is its own
 * transaction; a failure part-way leaves what was made before it and says
 * which step failed. Returns ERR_OK, or an error with *errmsg (a new string
 * without personal data; caller frees). */
enum err demo_populate(struct store_conn *c, const struct datakey *k, const struct places *p,
                       const char *password, FILE *passwords_out, char **errmsg);

/* The checks before a demo: the password (PASSWORD_MIN_CHARS or more, not
 * a common one) or somewhere for generated ones, the gazetteer loaded, and
 * no users and no groups yet (ERR_CONFLICT). *errmsg as demo_populate's. */
enum err demo_check_empty(struct store_conn *c, const struct places *p, const char *password,
                          FILE *passwords_out, char **errmsg);

/* The largest N of cbpn demo --scale. */
#define DEMO_SCALE_MAX 10000000L

/* cbpn demo --scale N (demo_scale.c): a synthetic national network with n
 * cases (1..DEMO_SCALE_MAX) spread over every province by population and
 * over the last five years, with their survivors, incidents, screenings,
 * consents, referrals, notes and closures; groups (about one to ten
 * communes), members (n / 50), trainings (n / 200), outreach sessions
 * (n / 20) and advice records (n / 5); caseworkers (one to about 2,000
 * cases), a supervisor and a provider officer per province, accounts for
 * each group's representative and one member. Everything sealed and
 * audited as the real paths do; the same n makes the same records. Every
 * account gets one password (password, or one generated and printed as
 * for demo_populate, the same on every line) and its one hash. Progress
 * on stderr (in place on a terminal), and a summary line. The database
 * must be empty as for demo_populate; records are written 2,000 to a
 * transaction, so a failure leaves what was committed before it. */
enum err demo_scale_populate(struct store_conn *c, const struct datakey *k, const struct places *p,
                             long n, const char *password, FILE *passwords_out, char **errmsg);

/* ---- The data (demo_data.c), read by demo.c and by the tests ---- */

#define DEMO_GROUPS                   8
#define DEMO_MEMBERS_PER_GROUP        20
#define DEMO_VILLAGES_MAX             6
#define DEMO_GENERATED_PASSWORD_CHARS 16

/* The organizations, NGO first. */
enum demo_org {
    DEMO_ORG_NGO,
    DEMO_ORG_COUNSEL,
    DEMO_ORG_LEGAL,
    DEMO_ORG_SHELTER,
    DEMO_ORG_HEALTH,
    DEMO_ORG_POLICE,
    DEMO_ORG__MAX
};

struct demo_org_row {
    enum demo_org org;
    const char *name;
    const char *kind;          /* "ngo", "provider" */
    const char *location_code; /* a commune */
};
extern const struct demo_org_row demo_orgs[DEMO_ORG__MAX];

/* A service of a provider, written to the service directory by cbpn demo
 * (docs/demo.md). */
struct demo_service {
    enum demo_org org;
    const char *type; /* DOMAIN.md §4 */
    const char *name;
    const char *location_code;
    const char *contact; /* fictional */
    const char *hours;
    const char *languages[3]; /* NULL-terminated */
    const char *areas[3];     /* gazetteer codes served, NULL-terminated */
};
#define DEMO_SERVICES_MAX 16 /* demo_nservices is at most this */
extern const struct demo_service demo_services[];
extern const size_t demo_nservices;

struct demo_group {
    const char *name;                        /* "<Khmer> / <English>" */
    const char *district;                    /* 1707 Puok, 1706 Kralanh */
    const char *commune;                     /* where the group is */
    const char *villages[DEMO_VILLAGES_MAX]; /* of that commune, NULL-terminated */
};
extern const struct demo_group demo_groups[DEMO_GROUPS];

/* A demo user. group: 1..DEMO_GROUPS for members and representatives, 0
 * otherwise. member: for group users, the index in the group of the member
 * she is (her display name is that member's name); -1 otherwise. */
struct demo_user {
    const char *username;
    const char *role;
    enum demo_org org;
    int group;
    int member;
    const char *display_name; /* NULL for group users */
    const char *locale;
};
extern const struct demo_user demo_users[];
extern const size_t demo_nusers;

/* Name pools: a name in Khmer script and its usual Latin spelling. */
struct demo_name {
    const char *km;
    const char *latn;
};
extern const struct demo_name demo_family_names[];
extern const size_t demo_nfamily_names;
extern const struct demo_name demo_female_names[];
extern const size_t demo_nfemale_names;
extern const struct demo_name demo_male_names[];
extern const size_t demo_nmale_names;

/* A kind of reported concern; the cases are drawn from these. */
struct demo_case_kind {
    const char *concerns[4]; /* NULL-terminated */
    const char *summary;     /* fictional, no names */
    const char *sex;
    int age_min, age_max;
    int urgent_every; /* every n-th case of this kind is urgent; 0: never */
};
extern const struct demo_case_kind demo_case_kinds[];
extern const size_t demo_ncase_kinds;

/* Outreach sessions: DEMO_OUTREACH_PER_GROUP per group (demo.c,
 * make_outreach), recorded in turn by the group's representative and its
 * member user, in the group's villages, over the last weeks. */
#define DEMO_OUTREACH_PER_GROUP 3

/* Trainings (demo.c, make_trainings), all in the past: the supervisor's
 * training of every group's representative and trainer (1); an outside
 * trainer's training of DEMO_TRAINING_POLICE police officers, with scores
 * (1); every trainer member's cascade training of the representatives of
 * the next two groups (DEMO_GROUPS / 2); and every representative's
 * training of her group's members 1 to DEMO_TRAINING_MEMBERS (DEMO_GROUPS).
 * The first trainer's is recorded by the trainer1 user herself, the other
 * trainers' by the supervisor. */
#define DEMO_TRAINING_POLICE  6
#define DEMO_TRAINING_MEMBERS 6
#define DEMO_TRAININGS        (2 + DEMO_GROUPS / 2 + DEMO_GROUPS)

/* Safe-migration advice: DEMO_ADVICE_PER_GROUP records per group (demo.c,
 * make_advice), by its representative and member user in turn, over the
 * last weeks: a safe plan (no warnings, its follow-up ahead), an irregular
 * crossing without passport or contract (its follow-up due yesterday) and
 * a 17-year-old through an agency whose licence ran out (FIC-008), in debt
 * for the fees (its follow-up due today). */
#define DEMO_ADVICE_PER_GROUP 3

#define DEMO_CASES 36
/* Cases 0..DEMO_WORKED_CASES-1, but every fourth, are assigned and worked on
 * (demo.c, case_work): intake, a note, a task, an incident or a screening;
 * of those, n % 5 == 2 have their closure requested, and n % 12 == 1 are
 * closed. The others stay reported. */
#define DEMO_WORKED_CASES 32

/* Sets *errmsg to "step: problem" (no personal data: steps name tables and
 * indexes, problems are error codes and field names) and returns e. */
enum err demo_failf(enum err e, const struct fielderrs *fe, char **errmsg, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
