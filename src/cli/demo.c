/* cbpn demo: builds the Siem Reap demo network from the tables in
 * demo_data.c, through the domain functions only. Names, birth years,
 * phones, returnee histories and cases are drawn from a fixed pseudo-random
 * sequence, so every run makes the same network. */
#include "cli/demo.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/session.h"
#include "domain/agencies.h"
#include "domain/cases.h"
#include "domain/casework.h"
#include "domain/incidents.h"
#include "domain/migrant_advice.h"
#include "domain/network.h"
#include "domain/outreach.h"
#include "domain/place.h"
#include "domain/referrals.h"
#include "domain/screening.h"
#include "domain/services.h"
#include "domain/trainings.h"
#include "domain/users.h"
#include "util/alloc.h"
#include "util/embed.h"
#include "util/utf8.h"

#define DEMO_SEED 0x5eab17u
#define NAME_BUF  160
#define PHONE_BUF 16

/* A linear congruential generator (Numerical Recipes constants): plenty for
 * picking names, and the same sequence on every machine. */
struct lcg {
    uint32_t s;
};

/* A number in [0, n), from the high bits: an LCG's low bits are not random. */
static unsigned lcg_pick(struct lcg *r, unsigned n)
{
    r->s = r->s * 1664525u + 1013904223u;
    return (unsigned)(((uint64_t)r->s * n) >> 32);
}

/* A generated member of a group. */
struct gen_member {
    char name_km[NAME_BUF];
    char name_latn[NAME_BUF];
    const char *sex;
    int birth_year;
    char phone[PHONE_BUF]; /* "" when none */
    const char *roles[3];
    int nroles;
    bool returnee;
    const char *countries[2];
    int ncountries;
    int years_abroad;
    const char *channel;
    const char *sector;
};

/* Everything demo_populate makes and refers to later. */
struct demo_run {
    struct store_conn *c;
    const struct datakey *k;
    const struct places *p;
    struct lcg rng;
    char org_id[DEMO_ORG__MAX][ID_SIZE];
    char group_id[DEMO_GROUPS][ID_SIZE];
    struct gen_member members[DEMO_GROUPS][DEMO_MEMBERS_PER_GROUP];
    char (*user_id)[ID_SIZE]; /* demo_nusers entries */
    char member_id[DEMO_GROUPS][DEMO_MEMBERS_PER_GROUP][ID_SIZE];
    char case_id[DEMO_CASES][ID_SIZE];
    char service_id[DEMO_SERVICES_MAX][ID_SIZE]; /* demo_services, in order */
    const struct screening_catalog *screening;
};

/* Sets *errmsg to "step: problem" (no personal data: steps name tables and
 * indexes, problems are error codes and field names) and returns e. */
enum err demo_failf(enum err e, const struct fielderrs *fe, char **errmsg, const char *fmt, ...)
{
    char step[160];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(step, sizeof step, fmt, ap);
    va_end(ap);
    if (fe != NULL && fe->n > 0)
        *errmsg =
            xasprintf("%s: %s (%s: %s)", step, err_message(e), fe->e[0].field, fe->e[0].message);
    else
        *errmsg = xasprintf("%s: %s", step, err_message(e));
    return e;
}

/* ---- generation ---- */

/* Picks a full name not used before (used: family x given flags). */
static void pick_name(struct lcg *r, bool male, bool *used, char *km, char *latn)
{
    const struct demo_name *given = male ? demo_male_names : demo_female_names;
    size_t ngiven = male ? demo_nmale_names : demo_nfemale_names;
    size_t f, g;

    do {
        f = lcg_pick(r, (unsigned)demo_nfamily_names);
        g = lcg_pick(r, (unsigned)ngiven);
    } while (used[f * ngiven + g]);
    used[f * ngiven + g] = true;
    snprintf(km, NAME_BUF, "%s %s", demo_family_names[f].km, given[g].km);
    snprintf(latn, NAME_BUF, "%s %s", demo_family_names[f].latn, given[g].latn);
}

static const char *pick(struct lcg *r, const char *const *codes, size_t n)
{
    return codes[lcg_pick(r, (unsigned)n)];
}

/* Where she worked abroad, how she went and in which sector, as returnees of
 * these districts mostly did: Thailand first, then Malaysia, Korea, Japan. */
static void gen_returnee(struct lcg *r, struct gen_member *m, bool male)
{
    static const char *const th_channels[] = {"border_pass", "irregular", "irregular",
                                              "government_mou", "licensed_agency"};
    static const char *const th_sectors[] = {"agriculture", "construction", "manufacturing",
                                             "domestic_work", "hospitality"};
    static const char *const th_sectors_male[] = {"fishing", "construction", "agriculture"};
    static const char *const my_channels[] = {"licensed_agency", "irregular"};
    static const char *const my_sectors[] = {"domestic_work", "manufacturing"};
    static const char *const kr_sectors[] = {"agriculture", "manufacturing"};
    static const char *const jp_channels[] = {"titp_japan", "ssw_japan"};
    static const char *const jp_sectors[] = {"agriculture", "manufacturing"};
    unsigned where = lcg_pick(r, 10);

    m->returnee = true;
    m->years_abroad = 1 + (int)lcg_pick(r, 8);
    m->ncountries = 1;
    if (where < 5) {
        m->countries[0] = "TH";
        m->channel = pick(r, th_channels, 5);
        m->sector = male ? pick(r, th_sectors_male, 3) : pick(r, th_sectors, 5);
        if (lcg_pick(r, 5) == 0)
            m->countries[m->ncountries++] = "MY";
    } else if (where < 7) {
        m->countries[0] = "MY";
        m->channel = pick(r, my_channels, 2);
        m->sector = pick(r, my_sectors, 2);
    } else if (where < 9) {
        m->countries[0] = "KR";
        m->channel = "eps_korea";
        m->sector = pick(r, kr_sectors, 2);
    } else {
        m->countries[0] = "JP";
        m->channel = pick(r, jp_channels, 2);
        m->sector = pick(r, jp_sectors, 2);
    }
}

/* The members of every group: index 0 is the group's representative; index
 * 1 of odd-numbered groups a trainer; the last of even-numbered groups a man. */
static void gen_members(struct demo_run *run)
{
    bool *used_f = xcalloc(demo_nfamily_names * demo_nfemale_names, sizeof *used_f);
    bool *used_m = xcalloc(demo_nfamily_names * demo_nmale_names, sizeof *used_m);
    struct lcg *r = &run->rng;

    for (int g = 0; g < DEMO_GROUPS; g++) {
        for (int i = 0; i < DEMO_MEMBERS_PER_GROUP; i++) {
            struct gen_member *m = &run->members[g][i];
            bool male = i == DEMO_MEMBERS_PER_GROUP - 1 && g % 2 == 1;

            memset(m, 0, sizeof *m);
            pick_name(r, male, male ? used_m : used_f, m->name_km, m->name_latn);
            m->sex = male ? "male" : "female";
            m->birth_year = 1965 + (int)lcg_pick(r, 40);
            if (i == 0 || lcg_pick(r, 10) < 7)
                snprintf(m->phone, sizeof m->phone, "012 000 %03d",
                         100 + g * DEMO_MEMBERS_PER_GROUP + i);
            if (i == 0) {
                m->roles[m->nroles++] = "representative";
            } else {
                m->roles[m->nroles++] = "member";
                if (i == 1 && g % 2 == 0)
                    m->roles[m->nroles++] = "trainer";
            }
            if (lcg_pick(r, 2) == 0)
                gen_returnee(r, m, male);
        }
    }
    free(used_f);
    free(used_m);
}

/* ---- steps ---- */

enum err demo_check_empty(struct store_conn *c, const struct places *p, const char *password,
                          FILE *passwords_out, char **errmsg)
{
    struct user_rec *users = NULL;
    struct group_rec *groups = NULL;
    size_t nusers = 0, ngroups = 0;
    enum err e;

    if (password != NULL) {
        size_t n = strlen(password);
        if (n > PASSWORD_MAX_BYTES || !utf8_valid_text(password, n) ||
            utf8_length(password, n) < PASSWORD_MIN_CHARS) {
            *errmsg = xasprintf("the demo password needs %d to %d characters", PASSWORD_MIN_CHARS,
                                PASSWORD_MAX_BYTES);
            return ERR_VALIDATION;
        }
        if (password_judge(NULL, password) == PASSWORD_COMMON) {
            *errmsg = xstrdup("the demo password is a common password: choose another");
            return ERR_VALIDATION;
        }
    } else if (passwords_out == NULL) {
        *errmsg = xstrdup("generated passwords need somewhere to go");
        return ERR_INTERNAL;
    }

    if (store_location_count(c) == 0 || places_get(p, "17071001") == NULL) {
        *errmsg = xstrdup("the gazetteer is not loaded: make the database with cbpn init");
        return ERR_NOT_FOUND;
    }
    if ((e = store_user_list(c, NULL, &users, &nusers)) != ERR_OK ||
        (e = store_group_list(c, NULL, &groups, &ngroups)) != ERR_OK) {
        demo_failf(e, NULL, errmsg, "reading the database");
    } else if (nusers > 0 || ngroups > 0) {
        *errmsg = xstrdup("the database already holds users or groups: the demo network "
                          "goes only into a new, empty database");
        e = ERR_CONFLICT;
    }
    user_list_free(users, nusers);
    group_list_free(groups, ngroups);
    return e;
}

static enum err check_ready(struct demo_run *run, const char *password, FILE *passwords_out,
                            char **errmsg)
{
    enum err e = demo_check_empty(run->c, run->p, password, passwords_out, errmsg);
    if (e != ERR_OK)
        return e;
    for (int g = 0; g < DEMO_GROUPS; g++)
        for (int v = 0; v < DEMO_VILLAGES_MAX && demo_groups[g].villages[v] != NULL; v++)
            if (places_get(run->p, demo_groups[g].villages[v]) == NULL)
                return demo_failf(ERR_NOT_FOUND, NULL, errmsg, "group %d: village %s", g + 1,
                                  demo_groups[g].villages[v]);
    return ERR_OK;
}

static enum err make_orgs(struct demo_run *run, const struct ctx *cx, char **errmsg)
{
    for (int o = 0; o < DEMO_ORG__MAX; o++) {
        const struct demo_org_row *row = &demo_orgs[o];
        struct fielderrs fe = {0};
        struct org_rec rec = {0};
        enum err e = org_create(cx, row->name, row->kind, row->location_code, &rec, &fe);

        if (e != ERR_OK)
            return demo_failf(e, &fe, errmsg, "organization %d", o + 1);
        memcpy(run->org_id[o], rec.id, ID_SIZE);
        org_rec_free(&rec);
    }
    return ERR_OK;
}

static enum err make_groups(struct demo_run *run, const struct ctx *cx, char **errmsg)
{
    for (int g = 0; g < DEMO_GROUPS; g++) {
        struct group_in in = {
            .name = demo_groups[g].name,
            .location_code = demo_groups[g].commune,
            .organization_id = run->org_id[DEMO_ORG_NGO],
        };
        struct fielderrs fe = {0};
        struct group_rec rec = {0};
        enum err e = group_create(cx, &in, &rec, &fe);

        if (e != ERR_OK)
            return demo_failf(e, &fe, errmsg, "group %d", g + 1);
        memcpy(run->group_id[g], rec.id, ID_SIZE);
        group_rec_free(&rec);
    }
    return ERR_OK;
}

/* The fictional sample list of licensed agencies (data/), as of
 * DEMO_AGENCY_LIST_DATE: some of its licences have run out. */
#define DEMO_AGENCY_LIST_DATE "2026-01-15"

static enum err make_agencies(const struct ctx *cx, char **errmsg)
{
    const struct embedded_file *f = embed_find("data/agencies_sample_fictional.csv");
    struct agency_import_summary sum;
    char *why = NULL;
    if (f == NULL)
        return demo_failf(ERR_INTERNAL, NULL, errmsg, "no sample list of agencies");
    enum err e =
        agency_import(cx, (const char *)f->data, f->len, DEMO_AGENCY_LIST_DATE, &sum, &why);
    if (e != ERR_OK)
        e = demo_failf(e, NULL, errmsg, "the sample list of agencies: %s", why != NULL ? why : "");
    free(why);
    return e;
}

static enum err make_services(struct demo_run *run, const struct ctx *cx, char **errmsg)
{
    if (demo_nservices > DEMO_SERVICES_MAX)
        return demo_failf(ERR_INTERNAL, NULL, errmsg, "too many services");
    for (size_t i = 0; i < demo_nservices; i++) {
        const struct demo_service *d = &demo_services[i];
        struct service_in in;
        service_in_init(&in);
        in.organization_id = run->org_id[d->org];
        in.type = d->type;
        in.name = d->name;
        in.location_code = d->location_code;
        in.contact = d->contact;
        in.hours = d->hours;
        for (int k = 0; k < 3 && d->languages[k] != NULL; k++)
            in.languages[in.nlanguages++] = d->languages[k];
        for (int k = 0; k < 3 && d->areas[k] != NULL; k++)
            in.areas[in.nareas++] = d->areas[k];
        struct fielderrs fe = {0};
        struct service_rec rec = {0};
        enum err e = service_create(cx, &in, &rec, &fe);
        if (e == ERR_OK)
            memcpy(run->service_id[i], rec.id, ID_SIZE);
        service_rec_free(&rec);
        if (e != ERR_OK)
            return demo_failf(e, &fe, errmsg, "service %zu", i + 1);
    }
    return ERR_OK;
}

static enum err make_members(struct demo_run *run, const struct ctx *cx, char **errmsg)
{
    for (int g = 0; g < DEMO_GROUPS; g++) {
        for (int i = 0; i < DEMO_MEMBERS_PER_GROUP; i++) {
            const struct gen_member *m = &run->members[g][i];
            struct member_in in;
            member_in_init(&in);
            in.name_km = m->name_km;
            in.name_latn = m->name_latn;
            in.sex = m->sex;
            in.birth_year = m->birth_year;
            in.phone = m->phone[0] != '\0' ? m->phone : NULL;
            in.nnetwork_roles = m->nroles;
            in.has_returnee = m->returnee;
            in.returnee.ncountries = m->ncountries;
            in.returnee.years_abroad = m->years_abroad;
            in.returnee.channel = m->channel;
            in.returnee.sector = m->sector;
            struct fielderrs fe = {0};
            struct member_view v = {0};
            enum err e;

            for (int j = 0; j < m->nroles; j++)
                in.network_roles[j] = m->roles[j];
            for (int j = 0; j < m->ncountries; j++)
                in.returnee.countries[j] = m->countries[j];
            e = member_add(cx, run->group_id[g], &in, &v, &fe);
            if (e != ERR_OK)
                return demo_failf(e, &fe, errmsg, "group %d, member %d", g + 1, i + 1);
            memcpy(run->member_id[g][i], v.rec.id, ID_SIZE);
            member_view_free(&v);
        }
    }
    return ERR_OK;
}

/* A random password of DEMO_GENERATED_PASSWORD_CHARS base64url characters
 * (96 bits) into out. */
static void generate_password(char out[DEMO_GENERATED_PASSWORD_CHARS + 1])
{
    char token[TOKEN_SIZE];

    crypto_token(token);
    memcpy(out, token, DEMO_GENERATED_PASSWORD_CHARS);
    out[DEMO_GENERATED_PASSWORD_CHARS] = '\0';
    explicit_bzero(token, sizeof token);
}

static enum err make_users(struct demo_run *run, const struct ctx *cx, const char *password,
                           FILE *passwords_out, char **errmsg)
{
    char generated[DEMO_GENERATED_PASSWORD_CHARS + 1];
    enum err e = ERR_OK;

    for (size_t u = 0; u < demo_nusers && e == ERR_OK; u++) {
        const struct demo_user *du = &demo_users[u];
        char display[2 * NAME_BUF + 4];
        struct user_in in = {
            .username = du->username,
            .password = password,
            .role = du->role,
            .display_name = du->display_name,
            .organization_id = run->org_id[du->org],
            .group_id = du->group > 0 ? run->group_id[du->group - 1] : NULL,
            .locale = du->locale,
        };
        struct fielderrs fe = {0};
        struct user_rec rec = {0};

        if (du->group > 0) {
            const struct gen_member *m = &run->members[du->group - 1][du->member];
            snprintf(display, sizeof display, "%s (%s)", m->name_km, m->name_latn);
            in.display_name = display;
            in.member_id = run->member_id[du->group - 1][du->member];
        }
        if (password == NULL) {
            generate_password(generated);
            in.password = generated;
        }
        e = user_create(cx, &in, &rec, &fe);
        if (e != ERR_OK) {
            demo_failf(e, &fe, errmsg, "user %s", du->username);
        } else {
            memcpy(run->user_id[u], rec.id, ID_SIZE);
            if (password == NULL && fprintf(passwords_out, "%s\t%s\n", du->username, generated) < 0)
                e = demo_failf(ERR_INTERNAL, NULL, errmsg, "writing the password of %s",
                               du->username);
        }
        user_rec_free(&rec);
    }
    explicit_bzero(generated, sizeof generated);
    if (e == ERR_OK && password == NULL && fflush(passwords_out) != 0)
        e = demo_failf(ERR_INTERNAL, NULL, errmsg, "writing the passwords");
    return e;
}

/* The index in demo_users of the user with that role for group g (1-based). */
static size_t group_user(const char *role, int g)
{
    for (size_t u = 0; u < demo_nusers; u++)
        if (demo_users[u].group == g && strcmp(demo_users[u].role, role) == 0)
            return u;
    return 0; /* unreachable with the tables of demo_data.c */
}

/* The survivor of case n: sex and age from her kind of concern; a name in
 * Khmer and Latin, in Latin only, or none; sometimes a phone; sometimes her
 * village. Strings go into km, latn, phone. */
static void gen_survivor(struct lcg *r, const struct demo_case_kind *kind, int n,
                         const char *village, struct survivor_in *s, char *km, char *latn,
                         char *phone)
{
    bool male = strcmp(kind->sex, "male") == 0;
    const struct demo_name *given = male ? demo_male_names : demo_female_names;
    size_t ngiven = male ? demo_nmale_names : demo_nfemale_names;
    const struct demo_name *family = &demo_family_names[lcg_pick(r, (unsigned)demo_nfamily_names)];
    const struct demo_name *name = &given[lcg_pick(r, (unsigned)ngiven)];
    unsigned identity = lcg_pick(r, 4);

    memset(s, 0, sizeof *s);
    fields_init(&survivor_fields, s);
    s->sex = kind->sex;
    s->age = kind->age_min + (int)lcg_pick(r, (unsigned)(kind->age_max - kind->age_min + 1));
    s->age_estimated = lcg_pick(r, 2) == 0;
    snprintf(km, NAME_BUF, "%s %s", family->km, name->km);
    snprintf(latn, NAME_BUF, "%s %s", family->latn, name->latn);
    snprintf(phone, PHONE_BUF, "012 000 %03d", 600 + n);
    if (identity == 1 || identity == 3) {
        s->name_km = km;
        s->name_latn = latn;
    } else if (identity == 2) {
        s->name_latn = latn;
    }
    if (identity == 3)
        s->phone = phone;
    if (lcg_pick(r, 2) == 0)
        s->address_code = village;
}

/* Case n: in group n % DEMO_GROUPS, reported in turn by the group's
 * representative and by its member user, in one of the group's villages
 * (the first case of each group in its first village: Puok Chas for group 1). */
static enum err make_case(struct demo_run *run, int n, int *kind_count, char **errmsg)
{
    int g = n % DEMO_GROUPS;
    const struct demo_group *grp = &demo_groups[g];
    size_t u = group_user((n / DEMO_GROUPS) % 2 == 0 ? "representative" : "member", g + 1);
    /* Each kind in turn, shifted by one every round, so that every group
     * sees different kinds. */
    size_t ki = ((size_t)n + (size_t)n / demo_ncase_kinds) % demo_ncase_kinds;
    const struct demo_case_kind *kind = &demo_case_kinds[ki];
    size_t nvillages = 0;
    const char *village;
    char km[NAME_BUF], latn[NAME_BUF], phone[PHONE_BUF];
    struct case_report_in in;
    struct actor actor = {0};
    struct case_view out = {0};
    struct fielderrs fe = {0};
    enum err e;

    case_report_in_init(&in);
    while (nvillages < DEMO_VILLAGES_MAX && grp->villages[nvillages] != NULL)
        nvillages++;
    village = n < DEMO_GROUPS ? grp->villages[0]
                              : grp->villages[lcg_pick(&run->rng, (unsigned)nvillages)];

    in.location_code = village;
    for (int i = 0; i < 4 && kind->concerns[i] != NULL; i++)
        in.concerns[in.nconcerns++] = kind->concerns[i];
    in.summary = kind->summary;
    in.urgent = kind->urgent_every > 0 && kind_count[ki] % kind->urgent_every == 0;
    in.consent_to_contact = lcg_pick(&run->rng, 3) != 0;
    in.has_survivor = true;
    gen_survivor(&run->rng, kind, n, village, &in.survivor, km, latn, phone);
    kind_count[ki]++;

    if ((e = store_user_get(run->c, run->user_id[u], &actor.user)) != ERR_OK)
        return demo_failf(e, NULL, errmsg, "case %d: user %s", n + 1, demo_users[u].username);
    if (!role_parse(actor.user.role, &actor.role)) {
        e = demo_failf(ERR_INTERNAL, NULL, errmsg, "case %d: role of %s", n + 1,
                       demo_users[u].username);
    } else {
        struct ctx cx = {.db = run->c, .key = run->k, .actor = &actor, .places = run->p};
        e = case_report(&cx, &in, &out, &fe);
        if (e != ERR_OK)
            demo_failf(e, &fe, errmsg, "case %d", n + 1);
        else
            memcpy(run->case_id[n], out.rec.id, ID_SIZE);
    }
    case_view_free(&out);
    actor_free(&actor);
    explicit_bzero(km, sizeof km);
    explicit_bzero(latn, sizeof latn);
    return e;
}

/* ---- the case work done on the reported cases ---- */

/* A staff user as an actor (actor_free it). */
static enum err staff_actor(struct demo_run *run, const char *username, struct actor *a)
{
    memset(a, 0, sizeof *a);
    for (size_t u = 0; u < demo_nusers; u++) {
        if (strcmp(demo_users[u].username, username) != 0)
            continue;
        enum err e = store_user_get(run->c, run->user_id[u], &a->user);
        if (e == ERR_OK && !role_parse(a->user.role, &a->role))
            e = ERR_INTERNAL;
        return e;
    }
    return ERR_INTERNAL;
}

static struct ctx demo_ctx(struct demo_run *run, const struct actor *a)
{
    return (struct ctx){
        .db = run->c, .key = run->k, .actor = a, .places = run->p, .screening = run->screening};
}

static bool has_concern(const struct case_view *v, const char *code)
{
    for (int i = 0; i < v->rec.nconcerns; i++)
        if (strcmp(v->rec.concerns[i], code) == 0)
            return true;
    return false;
}

/* A date n days from today, into out[DATE_SIZE]. */
static void day_from_today(int n, char out[DATE_SIZE])
{
    int64_t t = clock_now() + (int64_t)n * 86400;
    char ts[TS_SIZE];
    clock_rfc3339(t, ts);
    snprintf(out, DATE_SIZE, "%.10s", ts);
}

/* The demo service of type, or NULL. */
static const char *service_of(const struct demo_run *run, const char *type)
{
    for (size_t i = 0; i < demo_nservices; i++)
        if (strcmp(demo_services[i].type, type) == 0)
            return run->service_id[i];
    return NULL;
}

/* Case n's referral: the survivor's consents recorded (by her guardian
 * when she is a child; to share with the organization, or every third time
 * with the type of service), then a referral to the service her concern
 * calls for, which its provider accepts (every third) and completes (every
 * ninth); the rest wait in the providers' inboxes. */
static enum err demo_referral(struct demo_run *run, const struct ctx *cx, const struct case_view *v,
                              int n, char **errmsg)
{
    const char *type = has_concern(v, "trafficking") || has_concern(v, "forced_labour") ? "legal"
                       : has_concern(v, "domestic_violence") && n % 2 == 0              ? "shelter"
                                                                           : "psychosocial";
    const char *service = service_of(run, type);
    struct service_rec svc = {0};
    struct fielderrs fe = {0};
    enum err e = service != NULL ? store_service_get(run->c, service, &svc) : ERR_INTERNAL;
    const char *by =
        v->has_survivor && v->survivor.age >= 0 && v->survivor.age < 18 ? "guardian" : "survivor";
    struct consent_in ci;
    struct consent_view cv = {0};
    for (int k = 0; k < 2 && e == ERR_OK; k++) {
        memset(&ci, 0, sizeof ci);
        ci.purpose = k == 0 ? "services" : "share_with";
        if (k == 1 && n % 3 == 0)
            ci.service_type = svc.type;
        else if (k == 1)
            ci.organization_id = svc.organization_id;
        ci.given = true;
        fields_mark(&consent_fields, &ci, 3, false);
        ci.method = n % 2 == 0 ? "verbal" : "thumbprint";
        ci.by = by;
        e = consent_record(cx, v->rec.id, &ci, &cv, &fe);
        consent_view_free(&cv);
    }
    struct referral_in ri;
    struct referral_view rv = {0};
    memset(&ri, 0, sizeof ri);
    ri.service_id = service;
    ri.urgency = n % 2 == 0 ? "urgent" : "routine";
    ri.reason = "Asked for help at the commune office; agreed to be referred.";
    ri.contact = "012 000 900";
    if (e == ERR_OK)
        e = referral_create(cx, v->rec.id, &ri, &rv, &fe);
    /* The provider's user answers some. */
    const char *staff = strcmp(type, "legal") == 0     ? "legal"
                        : strcmp(type, "shelter") == 0 ? "shelter"
                                                       : "counsel";
    struct actor prov = {0};
    if (e == ERR_OK && n % 3 == 0)
        e = staff_actor(run, staff, &prov);
    for (int step = 0; step < 2 && e == ERR_OK && n % 3 == 0; step++) {
        if (step == 1 && n % 9 != 0)
            break;
        struct ctx pcx = demo_ctx(run, &prov);
        struct referral_patch_in pi;
        char id[ID_SIZE];
        memcpy(id, rv.rec.id, ID_SIZE);
        referral_patch_in_init(&pi);
        pi.version = rv.rec.version;
        pi.status = step == 0 ? "accepted" : "completed";
        pi.note = step == 0 ? NULL : "Attended three sessions; follow-up in a month.";
        referral_view_free(&rv);
        e = referral_update(&pcx, id, &pi, &rv, &fe);
    }
    actor_free(&prov);
    referral_view_free(&rv);
    service_rec_free(&svc);
    if (e != ERR_OK && *errmsg == NULL)
        demo_failf(e, &fe, errmsg, "referral of case %d", n + 1);
    return e;
}

/* The incident of a violence case: what the survivor told (the six answers),
 * her partner the perpetrator. */
static enum err demo_incident(const struct ctx *cx, const struct case_view *v, int n, char **errmsg)
{
    struct incident_in in;
    struct incident_view out = {0};
    struct fielderrs fe = {0};
    char date[DATE_SIZE], today[DATE_SIZE];
    bool sexual = has_concern(v, "sexual_violence");
    incident_in_init(&in);
    day_from_today(-20 - n, date);
    day_from_today(0, today);
    in.date = date;
    in.reported_on = today;
    in.time_of_day = "evening_night";
    in.location_type = sexual ? "workplace" : "home_survivor";
    in.location = v->rec.location_code;
    in.migration_stage = "not_migration_related";
    in.has_acts = true;
    in.acts.sexual_contact = sexual;
    in.acts.physical_assault = !sexual;
    in.acts.psychological_abuse = true;
    for (int i = 0; i < ACTS_N; i++)
        fields_mark(&acts_fields, &in.acts, i, false);
    in.goods_or_money_exchanged = false;
    in.abduction = "none";
    in.reported_elsewhere = "no";
    in.perpetrators[0].sex = "male";
    in.perpetrators[0].age_group = "26_40";
    in.perpetrators[0].relationship = sexual ? "employer_or_supervisor" : "intimate_partner";
    in.nperpetrators = 1;
    fields_mark(&incident_fields, &in, INCIDENT_F_GOODS_OR_MONEY_EXCHANGED, false);
    enum err e = incident_add(cx, v->rec.id, &in, &out, &fe);
    incident_view_free(&out);
    return e != ERR_OK ? demo_failf(e, &fe, errmsg, "incident of case %d", n + 1) : e;
}

/* A screening of a trafficking or forced-labour case: deceived about the
 * job, exploited at work, documents taken (presumed trafficking for an
 * adult), or only the work conditions (exploitation without the rest). */
static enum err demo_screening(const struct ctx *cx, const struct case_view *v, int n,
                               char **errmsg)
{
    static const char *const presumed[] = {
        "a_deceived_nature_of_job", "a_deceived_conditions_of_work", "d_excessive_hours",
        "d_low_or_no_salary",       "e_confiscation_of_documents",   "e_debt_bondage",
        "fl_retention_of_documents"};
    static const char *const exploited[] = {"d_excessive_hours", "d_low_or_no_salary",
                                            "d_bad_living_conditions", "fl_withholding_of_wages"};
    struct screening_in in;
    struct screening_rec out = {0};
    struct fielderrs fe = {0};
    screening_in_init(&in);
    in.adult = !v->has_survivor || v->survivor.age < 0 || v->survivor.age >= 18;
    fields_mark(&screening_fields, &in, 0, false);
    const char *const *codes = n % 2 == 0 ? presumed : exploited;
    int k = n % 2 == 0 ? (int)(sizeof presumed / sizeof presumed[0])
                       : (int)(sizeof exploited / sizeof exploited[0]);
    for (int i = 0; i < k; i++)
        in.indicators[in.nindicators++] = codes[i];
    fields_mark(&screening_fields, &in, 1, false);
    enum err e = screening_add(cx, v->rec.id, &in, &out, &fe);
    screening_rec_free(&out);
    return e != ERR_OK ? demo_failf(e, &fe, errmsg, "screening of case %d", n + 1) : e;
}

/* What the NGO did on case n: cases 0..31 but every fourth are assigned to
 * a caseworker, who does intake, adds a note and a follow-up task (every
 * fifth one overdue), records an incident of a violence case and screens a
 * trafficking one; some she asks to close, and of those the supervisor
 * closes some. The rest wait in the supervisor's queue. */
static enum err case_work(struct demo_run *run, int n, const struct actor *sup,
                          const struct actor *cw, char **errmsg)
{
    struct ctx scx = demo_ctx(run, sup), ccx = demo_ctx(run, cw);
    struct case_view v = {0};
    struct fielderrs fe = {0};
    const char *id = run->case_id[n];
    struct agency_rec agency = {0};
    enum err e = case_assign(&scx, id, cw->user.id, &v, &fe);
    if (e == ERR_OK) {
        static const char *const risks[] = {"medium", "high", "low"};
        static const char *const employers[] = {"Fictional Seafood Co., Songkhla",
                                                "Fictional Rubber Estate, Rayong"};
        struct case_patch_in p;
        int version = v.rec.version;
        bool abroad = has_concern(&v, "trafficking") || has_concern(&v, "forced_labour");
        case_view_free(&v);
        case_patch_in_init(&p);
        p.version = version;
        p.risk = risks[n % 3];
        fields_mark(&case_patch_fields, &p, 0, false);
        fields_mark(&case_patch_fields, &p, 2, false);
        /* What the survivor knows: the agency that sent her (the fictional
         * FIC-008, whose licence ran out in 2024, or for n mod 3 = 2
         * FIC-005) and the employer abroad. */
        if (abroad && (e = store_agency_by_licence(run->c, n % 3 == 2 ? "FIC-005" : "FIC-008",
                                                   &agency)) == ERR_OK) {
            p.agency_id = agency.id;
            p.employer = employers[n % 2];
            fields_mark(&case_patch_fields, &p, 6, false);
            fields_mark(&case_patch_fields, &p, 7, false);
        }
        if (e == ERR_OK)
            e = case_update(&ccx, id, &p, &v, &fe);
    }
    agency_rec_free(&agency);
    if (e == ERR_OK) {
        struct note_in note = {"First call made; she agreed to meet at the commune office.", NULL};
        struct note_view nv = {0};
        e = note_add(&ccx, id, &note, &nv, &fe);
        note_view_free(&nv);
    }
    if (e == ERR_OK) {
        char due[DATE_SIZE];
        day_from_today(n % 5 == 0 ? -3 : 7, due);
        struct task_in task = {"Follow-up visit", due, NULL};
        struct task_view tv = {0};
        e = task_add(&ccx, id, &task, &tv, &fe);
        task_view_free(&tv);
    }
    if (e == ERR_OK && (has_concern(&v, "domestic_violence") || has_concern(&v, "sexual_violence")))
        e = demo_incident(&ccx, &v, n, errmsg);
    if (e == ERR_OK && (has_concern(&v, "trafficking") || has_concern(&v, "forced_labour")))
        e = demo_screening(&ccx, &v, n, errmsg);
    if (e == ERR_OK && n % 2 == 0)
        e = demo_referral(run, &ccx, &v, n, errmsg);
    case_view_free(&v);
    if (e == ERR_OK && (n % 5 == 2 || n % 12 == 1)) {
        e = case_request_closure(&ccx, id, "services_completed", NULL, &v, &fe);
        case_view_free(&v);
        if (e == ERR_OK && n % 12 == 1) {
            e = case_approve_closure(&scx, id, &v);
            case_view_free(&v);
        }
    }
    if (e != ERR_OK && *errmsg == NULL)
        demo_failf(e, &fe, errmsg, "case work on case %d", n + 1);
    return e;
}

static enum err make_case_work(struct demo_run *run, char **errmsg)
{
    struct actor sup, cw[2];
    enum err e = staff_actor(run, "supervisor", &sup);
    if (e == ERR_OK)
        e = staff_actor(run, "caseworker1", &cw[0]);
    if (e == ERR_OK)
        e = staff_actor(run, "caseworker2", &cw[1]);
    for (int n = 0; n < DEMO_WORKED_CASES && e == ERR_OK; n++)
        if (n % 4 != 3)
            e = case_work(run, n, &sup, &cw[n % 8 < 4 ? 0 : 1], errmsg);
    if (e != ERR_OK && *errmsg == NULL)
        demo_failf(e, NULL, errmsg, "case work");
    actor_free(&sup);
    actor_free(&cw[0]);
    actor_free(&cw[1]);
    return e;
}

/* ---- outreach sessions ---- */

/* The topics of the demo's sessions, in turn (NULL-terminated). */
static const char *const demo_outreach_topics[][4] = {
    {"safe_migration", "trafficking_identification", NULL},
    {"labour_rights", "safe_migration", NULL},
    {"vaw_identification", "gender_equality", "case_reporting_documentation", NULL},
    {"financial_literacy", NULL},
    {"trafficking_identification", "victim_identification_procedures", NULL},
};
#define DEMO_OUTREACH_TOPIC_SETS (sizeof demo_outreach_topics / sizeof demo_outreach_topics[0])

/* Session k of group g: by its representative (k even) or its member user,
 * in one of its villages, 5 + 9k + g days ago. */
static enum err make_outreach_one(struct demo_run *run, int g, int k, char **errmsg)
{
    const struct demo_group *grp = &demo_groups[g];
    size_t u = group_user(k % 2 == 0 ? "representative" : "member", g + 1);
    size_t nvillages = 0;
    while (nvillages < DEMO_VILLAGES_MAX && grp->villages[nvillages] != NULL)
        nvillages++;
    struct outreach_in in;
    struct outreach_rec out = {0};
    struct fielderrs fe = {0};
    struct actor actor = {0};
    char date[DATE_SIZE];
    enum err e;

    outreach_in_init(&in);
    day_from_today(-(5 + 9 * k + g), date);
    in.date = date;
    in.location_code = grp->villages[(size_t)(g + k) % nvillages];
    in.group_id = run->group_id[g];
    const char *const *topics = demo_outreach_topics[(size_t)(g + k) % DEMO_OUTREACH_TOPIC_SETS];
    while (in.ntopics < 4 && topics[in.ntopics] != NULL) {
        in.topics[in.ntopics] = topics[in.ntopics];
        in.ntopics++;
    }
    in.has_attendance = true;
    in.attendance.female = 8 + (int)lcg_pick(&run->rng, 25);
    in.attendance.male = (int)lcg_pick(&run->rng, 10);
    in.attendance.under_18 =
        (int)lcg_pick(&run->rng, (unsigned)(in.attendance.female + in.attendance.male) / 3 + 1);

    if ((e = store_user_get(run->c, run->user_id[u], &actor.user)) != ERR_OK)
        return demo_failf(e, NULL, errmsg, "outreach %d of group %d: user", k + 1, g + 1);
    if (!role_parse(actor.user.role, &actor.role)) {
        e = demo_failf(ERR_INTERNAL, NULL, errmsg, "outreach %d of group %d: role", k + 1, g + 1);
    } else {
        struct ctx cx = demo_ctx(run, &actor);
        if ((e = outreach_create(&cx, &in, &out, &fe)) != ERR_OK)
            demo_failf(e, &fe, errmsg, "outreach %d of group %d", k + 1, g + 1);
    }
    outreach_rec_free(&out);
    actor_free(&actor);
    return e;
}

static enum err make_outreach(struct demo_run *run, char **errmsg)
{
    enum err e = ERR_OK;
    for (int g = 0; g < DEMO_GROUPS && e == ERR_OK; g++)
        for (int k = 0; k < DEMO_OUTREACH_PER_GROUP && e == ERR_OK; k++)
            e = make_outreach_one(run, g, k, errmsg);
    return e;
}

/* ---- trainings ---- */

/* The police officers and the outside trainer (invented). */
static const char *const demo_officers[DEMO_TRAINING_POLICE] = {
    "Officer Chea Vuthy",   "Officer Lim Sopheak",   "Officer Nou Rithy",
    "Officer Mao Sreyleak", "Officer Keo Bunthoeun", "Officer Phan Chenda",
};

/* Records training n as the demo user username, 30 + 11 * n days ago. */
static enum err demo_training(struct demo_run *run, const char *username, int n,
                              struct training_in *in, char **errmsg)
{
    struct actor actor = {0};
    struct training_view out = {0};
    struct fielderrs fe = {0};
    char date[DATE_SIZE];
    day_from_today(-(30 + 11 * n), date);
    in->date = date;
    in->has_facilitator = true;
    enum err e = staff_actor(run, username, &actor);
    if (e != ERR_OK)
        return demo_failf(e, NULL, errmsg, "training %d: user %s", n + 1, username);
    struct ctx cx = demo_ctx(run, &actor);
    if ((e = training_create(&cx, in, &out, &fe)) != ERR_OK)
        demo_failf(e, &fe, errmsg, "training %d", n + 1);
    training_view_free(&out);
    actor_free(&actor);
    return e;
}

static void demo_scores(struct demo_run *run, struct training_in *in)
{
    for (int i = 0; i < in->nparticipants && i < TRAINING_PARTICIPANTS_MAX; i++) {
        int pre = 20 + (int)lcg_pick(&run->rng, 40);
        in->scores[in->nscores++] = (struct score_in){
            .participant_index = i, .pre = pre, .post = pre + 10 + (int)lcg_pick(&run->rng, 35)};
    }
}

static enum err make_trainings(struct demo_run *run, char **errmsg)
{
    struct training_in *in = xcalloc(1, sizeof *in);
    enum err e = ERR_OK;
    int n = 0;
    char sup_id[ID_SIZE] = "";
    for (size_t u = 0; u < demo_nusers; u++)
        if (strcmp(demo_users[u].username, "supervisor") == 0)
            memcpy(sup_id, run->user_id[u], ID_SIZE);

    /* The supervisor trains the representatives and the trainers. */
    training_in_init(in);
    in->topics[in->ntopics++] = "safe_migration";
    in->topics[in->ntopics++] = "trafficking_identification";
    in->topics[in->ntopics++] = "case_reporting_documentation";
    in->location_code = demo_groups[0].commune;
    in->audience = "representatives";
    in->facilitator.user_id = sup_id;
    for (int g = 0; g < DEMO_GROUPS; g++) {
        in->participants[in->nparticipants++].member_id = run->member_id[g][0];
        if (g % 2 == 0)
            in->participants[in->nparticipants++].member_id = run->member_id[g][1];
    }
    demo_scores(run, in);
    e = demo_training(run, "supervisor", n++, in, errmsg);

    /* An outside trainer trains the district police. */
    if (e == ERR_OK) {
        training_in_init(in);
        in->topics[in->ntopics++] = "victim_identification_procedures";
        in->topics[in->ntopics++] = "trafficking_identification";
        in->location_code = demo_groups[DEMO_GROUPS - 1].commune;
        in->audience = "police";
        in->facilitator.name = "Provincial anti-trafficking trainer";
        in->facilitator.organization = "Provincial Department of Social Affairs";
        for (int i = 0; i < DEMO_TRAINING_POLICE; i++) {
            struct participant_in *p = &in->participants[in->nparticipants++];
            p->name = demo_officers[i];
            p->organization =
                i < DEMO_TRAINING_POLICE / 2 ? "Puok district police" : "Kralanh district police";
            p->sex = i == 3 ? "female" : "male";
        }
        demo_scores(run, in);
        e = demo_training(run, "supervisor", n++, in, errmsg);
    }

    /* Each trainer trains the representatives of the next two groups: a
     * cascade training. */
    for (int g = 0; g < DEMO_GROUPS && e == ERR_OK; g += 2) {
        training_in_init(in);
        in->topics[in->ntopics++] = g % 4 == 0 ? "safe_migration" : "vaw_identification";
        in->topics[in->ntopics++] = "leadership";
        in->location_code = demo_groups[g].commune;
        in->audience = "representatives";
        in->group_id = run->group_id[g];
        in->facilitator.member_id = run->member_id[g][1];
        in->participants[in->nparticipants++].member_id = run->member_id[(g + 1) % DEMO_GROUPS][0];
        in->participants[in->nparticipants++].member_id = run->member_id[(g + 2) % DEMO_GROUPS][0];
        demo_scores(run, in);
        e = demo_training(run, g == 0 ? "trainer1" : "supervisor", n++, in, errmsg);
    }

    /* Each representative trains her group's members. */
    for (int g = 0; g < DEMO_GROUPS && e == ERR_OK; g++) {
        training_in_init(in);
        in->topics[in->ntopics++] = demo_outreach_topics[(size_t)g % DEMO_OUTREACH_TOPIC_SETS][0];
        in->location_code = demo_groups[g].commune;
        in->audience = "members";
        in->group_id = run->group_id[g];
        in->facilitator.member_id = run->member_id[g][0];
        for (int i = 1; i <= DEMO_TRAINING_MEMBERS; i++)
            in->participants[in->nparticipants++].member_id = run->member_id[g][i];
        char rep[16];
        snprintf(rep, sizeof rep, "rep%d", g + 1);
        e = demo_training(run, rep, n++, in, errmsg);
    }
    free(in);
    return e;
}

/* ---- safe-migration advice ---- */

/* The people advised (invented names), in turn. */
static const char *const demo_advised[][2] = {
    {"សុខ ចាន់ធី", "Sok Chanthy"},   {"ស្រី មុំ", "Srey Mom"},       {"ចាន់ ដារ៉ា", "Chan Dara"},
    {"ហេង សុភាព", "Heng Sopheap"}, {"គឹម ស្រីលីន", "Kim Sreylin"}, {"ពៅ វណ្ណា", "Pov Vanna"},
};
#define DEMO_ADVISED (sizeof demo_advised / sizeof demo_advised[0])

/* Advice k of group g (see demo.h): k 0 a safe plan through the government
 * agreement, its follow-up ahead; k 1 an irregular crossing without
 * passport or contract, its follow-up due; k 2 an agency whose licence ran
 * out, for a 17-year-old in debt for the fees, its follow-up due. */
static enum err make_advice_one(struct demo_run *run, int g, int k, char **errmsg)
{
    static const char *const destinations[] = {"TH", "MY", "KR"};
    static const char *const sectors[] = {"manufacturing", "construction", "domestic_work"};
    size_t u = group_user(k % 2 == 0 ? "representative" : "member", g + 1);
    struct migrant_advice_in in;
    struct advice_view out = {0};
    struct fielderrs fe = {0};
    struct actor actor = {0};
    struct agency_rec agency = {0};
    char date[DATE_SIZE], follow[DATE_SIZE];
    enum err e;

    migrant_advice_in_init(&in);
    day_from_today(-(2 + 7 * k + g), date);
    in.date = date;
    in.has_person = true;
    const char *const *who = demo_advised[(size_t)(g * 3 + k) % DEMO_ADVISED];
    in.person.name_km = who[0];
    in.person.name_latn = who[1];
    in.person.sex = (g + k) % 4 == 3 ? "male" : "female";
    in.person.birth_year = atoi(date) - 19 - (int)lcg_pick(&run->rng, 15);
    in.destination = destinations[k];
    in.sector = sectors[(size_t)(g + k) % 3];
    in.has_documents = true;
    in.group_id = run->group_id[g];
    switch (k) {
    case 0:
        in.channel = "government_mou";
        in.documents.passport = in.documents.contract = in.documents.visa = true;
        in.documents.work_permit = in.documents.pre_departure_orientation = true;
        day_from_today(20 + g, follow);
        break;
    case 1:
        in.channel = "irregular";
        in.risks[in.nrisks++] = "unknown_employer";
        day_from_today(-1, follow);
        break;
    default:
        in.channel = "licensed_agency";
        in.person.birth_year = atoi(date) - 17;
        in.documents.passport = true;
        in.risks[in.nrisks++] = "debt_for_fees";
        /* FIC-008's licence ran out in 2024 (data/agencies_sample_fictional.csv). */
        if ((e = store_agency_by_licence(run->c, "FIC-008", &agency)) != ERR_OK)
            return demo_failf(e, NULL, errmsg, "advice %d of group %d: agency", k + 1, g + 1);
        in.agency_id = agency.id;
        day_from_today(0, follow);
        break;
    }
    in.follow_up_on = follow;

    if ((e = store_user_get(run->c, run->user_id[u], &actor.user)) != ERR_OK) {
        e = demo_failf(e, NULL, errmsg, "advice %d of group %d: user", k + 1, g + 1);
    } else if (!role_parse(actor.user.role, &actor.role)) {
        e = demo_failf(ERR_INTERNAL, NULL, errmsg, "advice %d of group %d: role", k + 1, g + 1);
    } else {
        struct ctx cx = demo_ctx(run, &actor);
        if ((e = migrant_advice_create(&cx, &in, &out, &fe)) != ERR_OK)
            demo_failf(e, &fe, errmsg, "advice %d of group %d", k + 1, g + 1);
    }
    advice_view_free(&out);
    agency_rec_free(&agency);
    actor_free(&actor);
    return e;
}

static enum err make_advice(struct demo_run *run, char **errmsg)
{
    enum err e = ERR_OK;
    for (int g = 0; g < DEMO_GROUPS && e == ERR_OK; g++)
        for (int k = 0; k < DEMO_ADVICE_PER_GROUP && e == ERR_OK; k++)
            e = make_advice_one(run, g, k, errmsg);
    return e;
}

enum err demo_populate(struct store_conn *c, const struct datakey *k, const struct places *p,
                       const char *password, FILE *passwords_out, char **errmsg)
{
    struct demo_run *run = xcalloc(1, sizeof *run);
    struct ctx local = {.db = c, .key = k, .actor = NULL, .places = p, .local_operator = true};
    int kind_count[16] = {0};
    struct screening_catalog *cat = NULL;
    enum err e;

    _Static_assert(DEMO_CASES >= DEMO_GROUPS, "every group has a case");
    *errmsg = NULL;
    run->c = c;
    run->k = k;
    run->p = p;
    run->rng.s = DEMO_SEED;
    run->user_id = xcalloc(demo_nusers, sizeof *run->user_id);
    if (demo_ncase_kinds > sizeof kind_count / sizeof kind_count[0]) {
        e = demo_failf(ERR_INTERNAL, NULL, errmsg, "too many kinds of case");
        goto out;
    }
    /* The screenings, and the agencies' figures the advice records show. */
    char *msg = NULL;
    e = screening_catalog_load(&cat, &msg);
    free(msg);
    if (e != ERR_OK) {
        demo_failf(e, NULL, errmsg, "screening catalog");
        goto out;
    }
    run->screening = cat;

    if ((e = check_ready(run, password, passwords_out, errmsg)) != ERR_OK)
        goto out;
    gen_members(run);
    if ((e = make_orgs(run, &local, errmsg)) != ERR_OK ||
        (e = make_groups(run, &local, errmsg)) != ERR_OK ||
        (e = make_services(run, &local, errmsg)) != ERR_OK ||
        (e = make_agencies(&local, errmsg)) != ERR_OK ||
        (e = make_members(run, &local, errmsg)) != ERR_OK ||
        (e = make_users(run, &local, password, passwords_out, errmsg)) != ERR_OK)
        goto out;
    for (int n = 0; n < DEMO_CASES && e == ERR_OK; n++)
        e = make_case(run, n, kind_count, errmsg);
    if (e == ERR_OK)
        e = make_case_work(run, errmsg);
    if (e == ERR_OK)
        e = make_outreach(run, errmsg);
    if (e == ERR_OK)
        e = make_advice(run, errmsg);
    if (e == ERR_OK)
        e = make_trainings(run, errmsg);
out:
    screening_catalog_free(cat);
    explicit_bzero(run->members, sizeof run->members);
    free(run->user_id);
    free(run);
    return e;
}
