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
#include "domain/cases.h"
#include "domain/network.h"
#include "domain/place.h"
#include "domain/users.h"
#include "util/alloc.h"
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
};

/* Sets *errmsg to "step: problem" (no personal data: steps name tables and
 * indexes, problems are error codes and field names) and returns e. */
static enum err failf(enum err e, const struct fielderrs *fe, char **errmsg, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static enum err failf(enum err e, const struct fielderrs *fe, char **errmsg, const char *fmt, ...)
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

static enum err check_ready(struct demo_run *run, const char *password, FILE *passwords_out,
                            char **errmsg)
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
    } else if (passwords_out == NULL) {
        *errmsg = xstrdup("generated passwords need somewhere to go");
        return ERR_INTERNAL;
    }

    if (store_location_count(run->c) == 0 || places_get(run->p, "17071001") == NULL) {
        *errmsg = xstrdup("the gazetteer is not loaded: make the database with cbpn init");
        return ERR_NOT_FOUND;
    }
    for (int g = 0; g < DEMO_GROUPS; g++)
        for (int v = 0; v < DEMO_VILLAGES_MAX && demo_groups[g].villages[v] != NULL; v++)
            if (places_get(run->p, demo_groups[g].villages[v]) == NULL)
                return failf(ERR_NOT_FOUND, NULL, errmsg, "group %d: village %s", g + 1,
                             demo_groups[g].villages[v]);

    if ((e = store_user_list(run->c, NULL, &users, &nusers)) != ERR_OK ||
        (e = store_group_list(run->c, NULL, &groups, &ngroups)) != ERR_OK) {
        failf(e, NULL, errmsg, "reading the database");
    } else if (nusers > 0 || ngroups > 0) {
        *errmsg = xstrdup("the database already holds users or groups: the demo network "
                          "goes only into a new, empty database");
        e = ERR_CONFLICT;
    }
    user_list_free(users, nusers);
    group_list_free(groups, ngroups);
    return e;
}

static enum err make_orgs(struct demo_run *run, const struct ctx *cx, char **errmsg)
{
    for (int o = 0; o < DEMO_ORG__MAX; o++) {
        const struct demo_org_row *row = &demo_orgs[o];
        struct fielderrs fe = {0};
        struct org_rec rec = {0};
        enum err e = org_create(cx, row->name, row->kind, row->location_code, &rec, &fe);

        if (e != ERR_OK)
            return failf(e, &fe, errmsg, "organization %d", o + 1);
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
            return failf(e, &fe, errmsg, "group %d", g + 1);
        memcpy(run->group_id[g], rec.id, ID_SIZE);
        group_rec_free(&rec);
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
                return failf(e, &fe, errmsg, "group %d, member %d", g + 1, i + 1);
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
        }
        if (password == NULL) {
            generate_password(generated);
            in.password = generated;
        }
        e = user_create(cx, &in, &rec, &fe);
        if (e != ERR_OK) {
            failf(e, &fe, errmsg, "user %s", du->username);
        } else {
            memcpy(run->user_id[u], rec.id, ID_SIZE);
            if (password == NULL && fprintf(passwords_out, "%s\t%s\n", du->username, generated) < 0)
                e = failf(ERR_INTERNAL, NULL, errmsg, "writing the password of %s", du->username);
        }
        user_rec_free(&rec);
    }
    explicit_bzero(generated, sizeof generated);
    if (e == ERR_OK && password == NULL && fflush(passwords_out) != 0)
        e = failf(ERR_INTERNAL, NULL, errmsg, "writing the passwords");
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
        return failf(e, NULL, errmsg, "case %d: user %s", n + 1, demo_users[u].username);
    if (!role_parse(actor.user.role, &actor.role)) {
        e = failf(ERR_INTERNAL, NULL, errmsg, "case %d: role of %s", n + 1, demo_users[u].username);
    } else {
        struct ctx cx = {.db = run->c, .key = run->k, .actor = &actor, .places = run->p};
        e = case_report(&cx, &in, &out, &fe);
        if (e != ERR_OK)
            failf(e, &fe, errmsg, "case %d", n + 1);
    }
    case_view_free(&out);
    actor_free(&actor);
    explicit_bzero(km, sizeof km);
    explicit_bzero(latn, sizeof latn);
    return e;
}

enum err demo_populate(struct store_conn *c, const struct datakey *k, const struct places *p,
                       const char *password, FILE *passwords_out, char **errmsg)
{
    struct demo_run *run = xcalloc(1, sizeof *run);
    struct ctx local = {.db = c, .key = k, .actor = NULL, .places = p, .local_operator = true};
    int kind_count[16] = {0};
    enum err e;

    _Static_assert(DEMO_CASES >= DEMO_GROUPS, "every group has a case");
    *errmsg = NULL;
    run->c = c;
    run->k = k;
    run->p = p;
    run->rng.s = DEMO_SEED;
    run->user_id = xcalloc(demo_nusers, sizeof *run->user_id);
    if (demo_ncase_kinds > sizeof kind_count / sizeof kind_count[0]) {
        e = failf(ERR_INTERNAL, NULL, errmsg, "too many kinds of case");
        goto out;
    }

    if ((e = check_ready(run, password, passwords_out, errmsg)) != ERR_OK)
        goto out;
    gen_members(run);
    if ((e = make_orgs(run, &local, errmsg)) != ERR_OK ||
        (e = make_groups(run, &local, errmsg)) != ERR_OK ||
        (e = make_users(run, &local, password, passwords_out, errmsg)) != ERR_OK ||
        (e = make_members(run, &local, errmsg)) != ERR_OK)
        goto out;
    for (int n = 0; n < DEMO_CASES && e == ERR_OK; n++)
        e = make_case(run, n, kind_count, errmsg);
out:
    explicit_bzero(run->members, sizeof run->members);
    free(run->user_id);
    free(run);
    return e;
}
