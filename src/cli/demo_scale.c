/* cbpn demo --scale N: a synthetic national network (demo.h). The small
 * things (organizations, services, groups, users) are made through the
 * domain functions; members, trainings, outreach sessions and advice
 * records too, many to a transaction; the cases and their work through the
 * bulk writer (domain/bulk.h), which writes what the checked paths write,
 * dated over the last five years. Every choice comes from a fixed seed:
 * the same N makes the same network. */
#include "cli/demo.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "auth/session.h"
#include "domain/bulk.h"
#include "domain/cases.h"
#include "domain/migrant_advice.h"
#include "domain/network.h"
#include "domain/outreach.h"
#include "domain/place.h"
#include "domain/screening.h"
#include "domain/services.h"
#include "domain/trainings.h"
#include "domain/users.h"
#include "util/alloc.h"
#include "util/clock.h"

#define SCALE_SEED  0x5ca1ab1e2026ull
#define SCALE_YEARS 5
/* Records to a transaction: SQLite writes its pages at each commit; on
 * PostgreSQL, where every audit entry rewrites the one row of the audit
 * head and a transaction walks every version of it that it made, fewer. */
#define SCALE_BATCH_SQLITE 5000
#define SCALE_BATCH_PG     100
#define NAME_BUF           160
#define PHONE_BUF          20
#define PROVINCES_MAX      32
#define SERVICE_TYPES      4
#define MS_DAY             (86400 * (int64_t)1000)
#define MS_HOUR            (3600 * (int64_t)1000)

/* ---- a deterministic generator (splitmix64) ---- */

struct rng {
    uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* [0, n) */
static unsigned rng_pick(struct rng *r, unsigned n)
{
    return n == 0 ? 0 : (unsigned)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* true with probability pct / 100 */
static bool rng_pct(struct rng *r, unsigned pct)
{
    return rng_pick(r, 100) < pct;
}

/* [lo, hi] */
static int64_t rng_range(struct rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* ---- the country ---- */

/* Population of each province (2019 census, thousands), by gazetteer code:
 * the cases are spread by it. */
static const struct {
    const char *code;
    int people;
} province_people[] = {
    {"01", 861},  {"02", 997}, {"03", 899},  {"04", 527}, {"05", 877},  {"06", 677}, {"07", 592},
    {"08", 1195}, {"09", 123}, {"10", 372},  {"11", 88},  {"12", 2129}, {"13", 254}, {"14", 1057},
    {"15", 412},  {"16", 204}, {"17", 1006}, {"18", 302}, {"19", 160},  {"20", 525}, {"21", 900},
    {"22", 262},  {"23", 42},  {"24", 72},   {"25", 777},
};

static const char *const service_types[SERVICE_TYPES] = {"psychosocial", "legal", "shelter",
                                                         "health"};

struct group_s {
    char id[ID_SIZE];
    size_t prov;
    const char *commune;
    size_t v0, v1;               /* its villages: prov's villages [v0, v1) */
    struct user_rec rep, member; /* its accounts */
    size_t m0, m1;               /* its members: member_ids[m0, m1) */
};

struct prov_s {
    const struct place *p;
    double cum; /* cumulative weight, to 1 */
    const char **villages;
    size_t nvillages;
    const char **communes;
    size_t ncommunes;
    char ngo_id[ID_SIZE], provider_id[ID_SIZE];
    struct service_rec services[SERVICE_TYPES];
    struct user_rec supervisor, provider;
    struct user_rec *caseworkers;
    size_t ncaseworkers;
    size_t g0, g1; /* its groups */
};

struct scale_run {
    struct store_conn *c;
    struct ctx cx; /* the local operator */
    const char *password_hash;
    const char *password;
    FILE *passwords_out;
    long n;
    struct prov_s prov[PROVINCES_MAX];
    size_t nprov;
    struct group_s *groups;
    size_t ngroups;
    char (*member_ids)[ID_SIZE];
    size_t nmembers;
    struct user_rec admin;
    int64_t now_ms, start_ms;
    bool tty;
    uint64_t batch; /* records to a transaction */
    int64_t t0;
    struct bulk_counts counts;
    uint64_t outreach, advice, trainings, users;
};

static void date_of(int64_t ms, char out[DATE_SIZE])
{
    char t[TS_SIZE];
    clock_rfc3339_ms(ms, t);
    snprintf(out, DATE_SIZE, "%.10s", t);
}

/* ---- progress ---- */

static void progress(struct scale_run *run, const char *what, uint64_t done, uint64_t total,
                     bool last)
{
    static int64_t shown;
    int64_t now = clock_mono_ms();
    if (!last && now - shown < (run->tty ? 250 : 5000))
        return;
    shown = now;
    double secs = (double)(now - run->t0) / 1000.0;
    double rate = secs > 0 ? (double)done / secs : 0;
    if (run->tty)
        fprintf(stderr, "\r%s: %llu / %llu, %.0f/s, %.0f s elapsed\033[K%s", what,
                (unsigned long long)done, (unsigned long long)total, rate, secs, last ? "\n" : "");
    else
        fprintf(stderr, "%s: %llu / %llu, %.0f s elapsed\n", what, (unsigned long long)done,
                (unsigned long long)total, secs);
}

/* ---- the network, through the domain ---- */

static void gather(const struct places *pl, struct prov_s *pv)
{
    const struct place **districts = NULL;
    size_t nd = places_children(pl, pv->p->code, LANG_EN, &districts);
    size_t capv = 0, capc = 0;
    for (size_t d = 0; d < nd; d++) {
        const struct place **communes = NULL;
        size_t nc = places_children(pl, districts[d]->code, LANG_EN, &communes);
        for (size_t k = 0; k < nc; k++) {
            const struct place **villages = NULL;
            size_t nv = places_children(pl, communes[k]->code, LANG_EN, &villages);
            if (nv > 0) {
                if (pv->ncommunes == capc)
                    pv->communes = xrealloc(pv->communes, (capc = capc * 2 + 16) * sizeof(char *));
                pv->communes[pv->ncommunes++] = communes[k]->code;
            }
            for (size_t v = 0; v < nv; v++) {
                if (pv->nvillages == capv)
                    pv->villages = xrealloc(pv->villages, (capv = capv * 2 + 64) * sizeof(char *));
                pv->villages[pv->nvillages++] = villages[v]->code;
            }
            free(villages);
        }
        free(communes);
    }
    free(districts);
}

static enum err user_make(struct scale_run *run, const char *username, const char *role,
                          const char *org, const char *group, const char *member,
                          const char *display, struct user_rec *out, char **errmsg)
{
    struct user_in in = {.username = username,
                         .password = run->password,
                         .role = role,
                         .display_name = display,
                         .organization_id = org,
                         .group_id = group,
                         .locale = "km",
                         .member_id = member};
    struct fielderrs fe = {0};
    enum err e = user_create_hashed(&run->cx, &in, run->password_hash, out, &fe);
    if (e != ERR_OK)
        return demo_failf(e, &fe, errmsg, "user %s", username);
    run->users++;
    if (run->passwords_out != NULL &&
        fprintf(run->passwords_out, "%s\t%s\n", username, run->password) < 0)
        return demo_failf(ERR_INTERNAL, NULL, errmsg, "writing the password of %s", username);
    return ERR_OK;
}

static enum err make_provinces(struct scale_run *run, const struct places *pl, char **errmsg)
{
    const struct place **provs = NULL;
    size_t np = places_children(pl, NULL, LANG_EN, &provs);
    double total = 0;
    for (size_t i = 0; i < np && run->nprov < PROVINCES_MAX; i++) {
        int people = 100;
        for (size_t k = 0; k < sizeof province_people / sizeof province_people[0]; k++)
            if (strcmp(province_people[k].code, provs[i]->code) == 0)
                people = province_people[k].people;
        struct prov_s *pv = &run->prov[run->nprov];
        pv->p = provs[i];
        gather(pl, pv);
        if (pv->nvillages == 0)
            continue;
        pv->cum = total += people;
        run->nprov++;
    }
    free(provs);
    if (run->nprov == 0)
        return demo_failf(ERR_NOT_FOUND, NULL, errmsg, "the gazetteer has no villages");
    for (size_t i = 0; i < run->nprov; i++)
        run->prov[i].cum /= total;

    enum err e = ERR_OK;
    for (size_t i = 0; i < run->nprov && e == ERR_OK; i++) {
        struct prov_s *pv = &run->prov[i];
        struct fielderrs fe = {0};
        struct org_rec rec = {0};
        char name[200];
        /* Organizations sit in a commune of the province. */
        snprintf(name, sizeof name, "%s Community Protection Network (fictional)",
                 pv->p->name_latn);
        e = org_create(&run->cx, name, "ngo", pv->communes[0], &rec, &fe);
        if (e != ERR_OK)
            return demo_failf(e, &fe, errmsg, "organization of province %s", pv->p->code);
        memcpy(pv->ngo_id, rec.id, ID_SIZE);
        org_rec_free(&rec);
        snprintf(name, sizeof name, "%s Survivor Services (fictional)", pv->p->name_latn);
        e = org_create(&run->cx, name, "provider", pv->communes[0], &rec, &fe);
        if (e != ERR_OK)
            return demo_failf(e, &fe, errmsg, "provider of province %s", pv->p->code);
        memcpy(pv->provider_id, rec.id, ID_SIZE);
        org_rec_free(&rec);
        for (int t = 0; t < SERVICE_TYPES && e == ERR_OK; t++) {
            struct service_in in;
            char sname[160];
            service_in_init(&in);
            snprintf(sname, sizeof sname, "%s services, %s", service_types[t], pv->p->name_latn);
            in.organization_id = pv->provider_id;
            in.type = service_types[t];
            in.name = sname;
            in.location_code = pv->communes[0];
            in.contact = "012 000 900";
            in.hours = "Mon-Fri 08:00-17:00";
            in.languages[in.nlanguages++] = "km";
            in.areas[in.nareas++] = pv->p->code;
            e = service_create(&run->cx, &in, &pv->services[t], &fe);
            if (e != ERR_OK)
                return demo_failf(e, &fe, errmsg, "service %s of province %s", service_types[t],
                                  pv->p->code);
        }
    }
    return e;
}

static enum err make_groups(struct scale_run *run, char **errmsg)
{
    size_t ncommunes = 0;
    for (size_t i = 0; i < run->nprov; i++)
        ncommunes += run->prov[i].ncommunes;
    /* One group to about ten communes, fewer for a small N. */
    size_t want = ncommunes / 10;
    if ((size_t)run->n / 400 < want)
        want = (size_t)run->n / 400;
    if (want < run->nprov)
        want = run->nprov;
    run->groups = xcalloc(want + run->nprov, sizeof *run->groups);
    for (size_t i = 0; i < run->nprov; i++) {
        struct prov_s *pv = &run->prov[i];
        size_t gp = (size_t)llround((double)want * (double)pv->ncommunes / (double)ncommunes);
        if (gp < 1)
            gp = 1;
        if (gp > pv->ncommunes)
            gp = pv->ncommunes;
        pv->g0 = run->ngroups;
        for (size_t k = 0; k < gp; k++) {
            struct group_s *g = &run->groups[run->ngroups];
            size_t c0 = k * pv->ncommunes / gp, c1 = (k + 1) * pv->ncommunes / gp;
            g->prov = i;
            g->commune = pv->communes[c0];
            /* Its villages: those of its communes (villages are gathered
             * commune by commune). */
            g->v0 = pv->nvillages;
            g->v1 = 0;
            for (size_t v = 0; v < pv->nvillages; v++) {
                for (size_t c = c0; c < c1; c++)
                    if (strncmp(pv->villages[v], pv->communes[c], 6) == 0) {
                        if (v < g->v0)
                            g->v0 = v;
                        g->v1 = v + 1;
                    }
            }
            const struct place *cp = places_get(run->cx.places, g->commune);
            char name[200];
            snprintf(name, sizeof name, "Network group %s (fictional)",
                     cp != NULL ? cp->name_latn : g->commune);
            struct group_in in = {
                .name = name, .location_code = g->commune, .organization_id = pv->ngo_id};
            struct fielderrs fe = {0};
            struct group_rec rec = {0};
            enum err e = group_create(&run->cx, &in, &rec, &fe);
            if (e != ERR_OK)
                return demo_failf(e, &fe, errmsg, "group %zu", run->ngroups + 1);
            memcpy(g->id, rec.id, ID_SIZE);
            group_rec_free(&rec);
            run->ngroups++;
        }
        pv->g1 = run->ngroups;
    }
    return ERR_OK;
}

/* A fictional name from the demo's pools. */
static void pick_name(struct rng *r, bool male, char km[NAME_BUF], char latn[NAME_BUF])
{
    const struct demo_name *given = male ? demo_male_names : demo_female_names;
    size_t ngiven = male ? demo_nmale_names : demo_nfemale_names;
    const struct demo_name *f = &demo_family_names[rng_pick(r, (unsigned)demo_nfamily_names)];
    const struct demo_name *g = &given[rng_pick(r, (unsigned)ngiven)];
    snprintf(km, NAME_BUF, "%s %s", f->km, g->km);
    snprintf(latn, NAME_BUF, "%s %s", f->latn, g->latn);
}

static enum err make_members(struct scale_run *run, char **errmsg)
{
    static const char *const countries[] = {"TH", "TH", "TH", "MY", "KR", "JP"};
    static const char *const channels[] = {"border_pass", "irregular", "government_mou",
                                           "licensed_agency"};
    static const char *const sectors[] = {"agriculture", "construction", "manufacturing",
                                          "domestic_work", "hospitality"};
    size_t want = (size_t)run->n / 50;
    if (want < 3 * run->ngroups)
        want = 3 * run->ngroups;
    run->member_ids = xcalloc(want, sizeof *run->member_ids);
    struct rng r = {SCALE_SEED ^ 0x6d656d62ull};
    enum err e = ERR_OK;
    size_t done = 0;
    for (size_t gi = 0; gi < run->ngroups && e == ERR_OK; gi++) {
        struct group_s *g = &run->groups[gi];
        size_t m = want / run->ngroups + (gi < want % run->ngroups ? 1 : 0);
        g->m0 = run->nmembers;
        for (size_t i = 0; i < m && e == ERR_OK; i++) {
            if (done % run->batch == 0 && (e = store_begin(run->c)) != ERR_OK)
                break;
            char km[NAME_BUF], latn[NAME_BUF], phone[PHONE_BUF];
            bool male = rng_pct(&r, 15);
            struct member_in in;
            member_in_init(&in);
            pick_name(&r, male, km, latn);
            in.name_km = km;
            in.name_latn = latn;
            in.sex = male ? "male" : "female";
            in.birth_year = 1960 + (int)rng_pick(&r, 45);
            if (rng_pct(&r, 70)) {
                snprintf(phone, sizeof phone, "012 000 %03u", 100 + rng_pick(&r, 900));
                in.phone = phone;
            }
            in.network_roles[in.nnetwork_roles++] = i == 0 ? "representative" : "member";
            if (i == 1)
                in.network_roles[in.nnetwork_roles++] = "trainer";
            if (rng_pct(&r, 45)) {
                in.has_returnee = true;
                in.returnee.countries[0] = countries[rng_pick(&r, 6)];
                in.returnee.ncountries = 1;
                in.returnee.years_abroad = 1 + (int)rng_pick(&r, 8);
                in.returnee.channel = strcmp(in.returnee.countries[0], "KR") == 0
                                          ? "eps_korea"
                                          : channels[rng_pick(&r, 4)];
                in.returnee.sector = sectors[rng_pick(&r, 5)];
            }
            struct fielderrs fe = {0};
            struct member_view v = {0};
            e = member_add(&run->cx, g->id, &in, &v, &fe);
            if (e == ERR_OK)
                memcpy(run->member_ids[run->nmembers++], v.rec.id, ID_SIZE);
            else
                demo_failf(e, &fe, errmsg, "member %zu", done + 1);
            member_view_free(&v);
            sodium_memzero(km, sizeof km);
            sodium_memzero(latn, sizeof latn);
            done++;
            if (done % run->batch == 0 || done == want || e != ERR_OK)
                e = store_end(run->c, e);
            progress(run, "members", done, want, false);
        }
        g->m1 = run->nmembers;
    }
    if (e == ERR_OK)
        progress(run, "members", done, want, true);
    return e;
}

static enum err make_users(struct scale_run *run, char **errmsg)
{
    char name[64], display[2 * NAME_BUF];
    enum err e = user_make(run, "admin", "admin", run->prov[0].ngo_id, NULL, NULL,
                           "Demo administrator", &run->admin, errmsg);
    struct user_rec analyst = {0};
    if (e == ERR_OK)
        e = user_make(run, "analyst", "analyst", run->prov[0].ngo_id, NULL, NULL, "Demo analyst",
                      &analyst, errmsg);
    user_rec_free(&analyst);
    for (size_t i = 0; i < run->nprov && e == ERR_OK; i++) {
        struct prov_s *pv = &run->prov[i];
        double share = pv->cum - (i > 0 ? run->prov[i - 1].cum : 0);
        snprintf(name, sizeof name, "supervisor%s", pv->p->code);
        snprintf(display, sizeof display, "Demo supervisor, %s", pv->p->name_latn);
        e = user_make(run, name, "supervisor", pv->ngo_id, NULL, NULL, display, &pv->supervisor,
                      errmsg);
        if (e == ERR_OK) {
            snprintf(name, sizeof name, "provider%s", pv->p->code);
            snprintf(display, sizeof display, "Demo provider officer, %s", pv->p->name_latn);
            e = user_make(run, name, "provider", pv->provider_id, NULL, NULL, display,
                          &pv->provider, errmsg);
        }
        /* A caseworker to about 2,000 cases, at least two. */
        pv->ncaseworkers = (size_t)(share * (double)run->n / 2000.0);
        if (pv->ncaseworkers < 2)
            pv->ncaseworkers = 2;
        pv->caseworkers = xcalloc(pv->ncaseworkers, sizeof *pv->caseworkers);
        for (size_t k = 0; k < pv->ncaseworkers && e == ERR_OK; k++) {
            snprintf(name, sizeof name, "caseworker%s_%zu", pv->p->code, k + 1);
            snprintf(display, sizeof display, "Demo caseworker %zu, %s", k + 1, pv->p->name_latn);
            e = user_make(run, name, "caseworker", pv->ngo_id, NULL, NULL, display,
                          &pv->caseworkers[k], errmsg);
        }
    }
    /* Each group's representative and one member have accounts. */
    for (size_t gi = 0; gi < run->ngroups && e == ERR_OK; gi++) {
        struct group_s *g = &run->groups[gi];
        snprintf(name, sizeof name, "rep%zu", gi + 1);
        e = user_make(run, name, "representative", run->prov[g->prov].ngo_id, g->id,
                      run->member_ids[g->m0], NULL, &g->rep, errmsg);
        if (e == ERR_OK) {
            snprintf(name, sizeof name, "member%zu", gi + 1);
            e = user_make(run, name, "member", run->prov[g->prov].ngo_id, g->id,
                          run->member_ids[g->m0 + 2], NULL, &g->member, errmsg);
        }
    }
    return e;
}

/* ---- the cases, through the bulk writer ---- */

static const unsigned kind_weight[] = {8, 3, 10, 12, 6, 8, 5, 6, 3, 4, 4, 2};

static bool kind_has(const struct demo_case_kind *k, const char *concern)
{
    for (int i = 0; i < 4 && k->concerns[i] != NULL; i++)
        if (strcmp(k->concerns[i], concern) == 0)
            return true;
    return false;
}

static size_t pick_prov(struct scale_run *run, struct rng *r)
{
    double x = (double)(rng_next(r) >> 11) / 9007199254740992.0;
    for (size_t i = 0; i < run->nprov; i++)
        if (x < run->prov[i].cum)
            return i;
    return run->nprov - 1;
}

static const char *const presumed[] = {
    "a_deceived_nature_of_job", "a_deceived_conditions_of_work", "d_excessive_hours",
    "d_low_or_no_salary",       "e_confiscation_of_documents",   "e_debt_bondage",
    "fl_retention_of_documents"};
static const char *const exploited[] = {"d_excessive_hours", "d_low_or_no_salary",
                                        "d_bad_living_conditions", "fl_withholding_of_wages"};
static const char *const closure_reasons[] = {
    "survivor_request", "referred_elsewhere",    "moved_away",
    "lost_contact",     "no_protection_concern", "other"};

/* Case n: its report and what was done on it, each step only if it
 * happened before now. */
static void plan_case(struct scale_run *run, long n, struct bulk_case *b, char *km, char *latn,
                      char *phone, char *date, char *reported_on)
{
    struct rng r = {SCALE_SEED ^ ((uint64_t)n * 0x2545f4914f6cdd1dull)};
    memset(b, 0, sizeof *b);
    size_t pi = pick_prov(run, &r);
    struct prov_s *pv = &run->prov[pi];
    int64_t span = run->now_ms - run->start_ms;
    b->reported_ms = run->start_ms + (int64_t)((double)span * (double)n / (double)run->n) +
                     rng_range(&r, 0, span / run->n > 1 ? span / run->n - 1 : 0);

    /* Most cases come from the groups, the rest from the caseworkers. */
    size_t ngroups = pv->g1 - pv->g0;
    if (ngroups > 0 && rng_pct(&r, 75)) {
        struct group_s *g = &run->groups[pv->g0 + rng_pick(&r, (unsigned)ngroups)];
        b->reporter = rng_pct(&r, 60) ? &g->rep : &g->member;
        b->location_code = pv->villages[g->v0 + rng_pick(&r, (unsigned)(g->v1 - g->v0))];
    } else {
        b->reporter = &pv->caseworkers[rng_pick(&r, (unsigned)pv->ncaseworkers)];
        b->location_code = pv->villages[rng_pick(&r, (unsigned)pv->nvillages)];
    }
    b->organization_id = pv->ngo_id;

    unsigned total = 0;
    for (size_t k = 0; k < demo_ncase_kinds; k++)
        total += kind_weight[k % (sizeof kind_weight / sizeof kind_weight[0])];
    unsigned x = rng_pick(&r, total);
    size_t ki = 0;
    while (ki + 1 < demo_ncase_kinds && x >= kind_weight[ki])
        x -= kind_weight[ki++];
    const struct demo_case_kind *kind = &demo_case_kinds[ki];
    for (int i = 0; i < 4 && kind->concerns[i] != NULL; i++)
        b->concerns[b->nconcerns++] = kind->concerns[i];
    b->summary = kind->summary;
    b->urgent = kind->urgent_every > 0 && rng_pick(&r, (unsigned)kind->urgent_every) == 0;
    b->consent_to_contact = rng_pct(&r, 70);

    /* The survivor, as the demo's: names in Khmer and Latin, Latin only, or
     * none; sometimes a phone; sometimes her village. */
    b->has_survivor = true;
    struct survivor_in *s = &b->survivor;
    fields_init(&survivor_fields, s);
    bool male = strcmp(kind->sex, "male") == 0;
    s->sex = kind->sex;
    s->age = kind->age_min + (int)rng_pick(&r, (unsigned)(kind->age_max - kind->age_min + 1));
    s->age_estimated = rng_pct(&r, 50);
    pick_name(&r, male, km, latn);
    snprintf(phone, PHONE_BUF, "012 000 %03u", 100 + rng_pick(&r, 900));
    unsigned identity = rng_pick(&r, 4);
    if (identity == 1 || identity == 3) {
        s->name_km = km;
        s->name_latn = latn;
    } else if (identity == 2) {
        s->name_latn = latn;
    }
    if (identity == 3)
        s->phone = phone;
    if (rng_pct(&r, 50))
        s->address_code = b->location_code;

    /* The work. */
    int64_t now = run->now_ms, t = b->reported_ms;
    b->supervisor = &pv->supervisor;
    b->caseworker = &pv->caseworkers[rng_pick(&r, (unsigned)pv->ncaseworkers)];
    if (!rng_pct(&r, 85) || (t += rng_range(&r, MS_HOUR, 72 * MS_HOUR)) >= now)
        return;
    b->assigned_ms = t;
    if (rng_pct(&r, 70) && (t += rng_range(&r, MS_HOUR, 5 * MS_DAY)) < now) {
        b->note = "First call made; she agreed to meet at the commune office.";
        b->note_ms = t;
    }
    bool violence = kind_has(kind, "domestic_violence") || kind_has(kind, "sexual_violence") ||
                    kind_has(kind, "other_violence");
    if (violence && rng_pct(&r, 80) && (t += rng_range(&r, MS_HOUR, 3 * MS_DAY)) < now) {
        bool sexual = kind_has(kind, "sexual_violence");
        struct incident_in *in = &b->incident;
        incident_in_init(in);
        date_of(b->reported_ms - rng_range(&r, 1, 30) * MS_DAY, date);
        date_of(b->reported_ms, reported_on);
        in->date = date;
        in->reported_on = reported_on;
        in->time_of_day = rng_pct(&r, 60) ? "evening_night" : "afternoon";
        in->location_type = sexual ? "workplace" : "home_survivor";
        in->location = b->location_code;
        in->migration_stage = "not_migration_related";
        in->has_acts = true;
        in->acts.sexual_contact = sexual;
        in->acts.penetration = sexual && rng_pct(&r, 40);
        in->acts.physical_assault = !sexual && rng_pct(&r, 80);
        in->acts.denial_of_resources = !sexual && rng_pct(&r, 20);
        in->acts.psychological_abuse = rng_pct(&r, 70);
        in->goods_or_money_exchanged = false;
        in->abduction = "none";
        in->reported_elsewhere = rng_pct(&r, 10) ? "gbvims_org" : "no";
        in->perpetrators[0].sex = "male";
        in->perpetrators[0].age_group = rng_pct(&r, 60) ? "26_40" : "41_60";
        in->perpetrators[0].relationship = sexual ? "employer_or_supervisor"
                                           : kind_has(kind, "other_violence") ? "family_other"
                                                                              : "intimate_partner";
        in->nperpetrators = 1;
        b->has_incident = true;
        b->incident_ms = t;
    }
    bool trafficking = kind_has(kind, "trafficking") || kind_has(kind, "forced_labour");
    if (trafficking && rng_pct(&r, 80) && (t += rng_range(&r, MS_HOUR, 7 * MS_DAY)) < now) {
        bool p = rng_pct(&r, 55);
        b->indicators = p ? presumed : exploited;
        b->nindicators =
            p ? sizeof presumed / sizeof presumed[0] : sizeof exploited / sizeof exploited[0];
        b->has_screening = true;
        b->screening_ms = t;
    }
    b->consent_method = rng_pct(&r, 60) ? "verbal" : rng_pct(&r, 50) ? "thumbprint" : "written";
    if (rng_pct(&r, 88) && (t += rng_range(&r, 10 * 60000, 2 * MS_DAY)) < now) {
        b->reporting_consent_ms = t;
        b->reporting_given = rng_pct(&r, 92);
    }
    bool completed = false;
    if (rng_pct(&r, 65) && (t += rng_range(&r, MS_DAY, 10 * MS_DAY)) < now) {
        int type = trafficking ? 1 : violence && rng_pct(&r, 30) ? 2 : rng_pct(&r, 15) ? 3 : 0;
        b->service = &pv->services[type];
        b->provider = &pv->provider;
        b->referred_ms = t;
        b->referral_reason = "Asked for help at the commune office; agreed to be referred.";
        b->referral_contact = "012 000 900";
        b->referral_urgent = b->urgent;
        if (rng_pct(&r, 72)) {
            if ((t += rng_range(&r, MS_HOUR, 7 * MS_DAY)) < now) {
                b->accepted_ms = t;
                if (rng_pct(&r, 70) && (t += rng_range(&r, 3 * MS_DAY, 60 * MS_DAY)) < now) {
                    b->completed_ms = t;
                    b->referral_note = "Attended the sessions; follow-up in a month.";
                    completed = true;
                }
            }
        } else if (rng_pct(&r, 40) && (t += rng_range(&r, MS_HOUR, 5 * MS_DAY)) < now) {
            b->declined_ms = t;
            b->referral_note = "No place available this month.";
        }
    }
    if (rng_pct(&r, 75) && (t += rng_range(&r, 10 * MS_DAY, 120 * MS_DAY)) < now) {
        b->closure_requested_ms = t;
        b->closure_reason =
            completed || rng_pct(&r, 30) ? "services_completed" : closure_reasons[rng_pick(&r, 6)];
        if (rng_pct(&r, 90) && (t += rng_range(&r, MS_HOUR, 14 * MS_DAY)) < now)
            b->closed_ms = t;
    }
}

/* The tables the cases fill, whose secondary indexes are built once they
 * are written (SQLite). */
static const char *const case_tables[] = {
    "cases",    "case_concern", "survivor", "case_event", "audit",          "consent",
    "referral", "note",         "incident", "screening",  "referral_event", NULL};

static enum err make_cases(struct scale_run *run, char **errmsg)
{
    enum err e = store_bulk_indexes(run->c, case_tables, true);
    if (e != ERR_OK)
        return demo_failf(e, NULL, errmsg, "setting up the cases' tables");
    struct bulk_case b;
    char km[NAME_BUF], latn[NAME_BUF], phone[PHONE_BUF], date[DATE_SIZE], on[DATE_SIZE];
    for (long n = 0; n < run->n && e == ERR_OK; n++) {
        if ((uint64_t)n % run->batch == 0 && (e = store_begin(run->c)) != ERR_OK)
            break;
        plan_case(run, n, &b, km, latn, phone, date, on);
        e = bulk_case_write(&run->cx, &b, &run->counts);
        if (e != ERR_OK)
            demo_failf(e, NULL, errmsg, "case %ld", n + 1);
        if ((uint64_t)(n + 1) % run->batch == 0 || n + 1 == run->n || e != ERR_OK)
            e = store_end(run->c, e);
        progress(run, "cases", (uint64_t)n + 1, (uint64_t)run->n, false);
    }
    sodium_memzero(km, sizeof km);
    sodium_memzero(latn, sizeof latn);
    if (e == ERR_OK)
        progress(run, "cases", (uint64_t)run->n, (uint64_t)run->n, true);
    enum err ie = store_bulk_indexes(run->c, case_tables, false);
    if (e == ERR_OK && ie != ERR_OK)
        e = demo_failf(ie, NULL, errmsg, "building the cases' indexes");
    return e;
}

/* ---- group activity, through the domain ---- */

static const char *const outreach_topics[][3] = {
    {"safe_migration", "trafficking_identification", NULL},
    {"labour_rights", "safe_migration", NULL},
    {"vaw_identification", "gender_equality", NULL},
    {"financial_literacy", NULL, NULL},
    {"trafficking_identification", "victim_identification_procedures", NULL},
};

/* A date in the last five years for record k of total: spread evenly, so
 * every month has some. */
static void spread_date(struct scale_run *run, struct rng *r, uint64_t k, uint64_t total,
                        char out[DATE_SIZE])
{
    int64_t span = run->now_ms - run->start_ms;
    int64_t ms = run->start_ms + (int64_t)((double)span * (double)k / (double)total) +
                 rng_range(r, 0, MS_DAY - 1);
    if (ms > run->now_ms)
        ms = run->now_ms;
    date_of(ms, out);
}

static struct ctx as_actor(struct scale_run *run, struct actor *a, const struct user_rec *u)
{
    memset(a, 0, sizeof *a);
    a->user = *u;
    role_parse(u->role, &a->role);
    struct ctx cx = run->cx;
    cx.local_operator = false;
    cx.actor = a;
    return cx;
}

typedef enum err (*activity_fn)(struct scale_run *run, struct rng *r, uint64_t k, uint64_t total,
                                char **errmsg);

static enum err batched(struct scale_run *run, const char *what, uint64_t total, uint64_t salt,
                        activity_fn fn, char **errmsg)
{
    struct rng r = {SCALE_SEED ^ salt};
    enum err e = ERR_OK;
    for (uint64_t k = 0; k < total && e == ERR_OK; k++) {
        if (k % run->batch == 0 && (e = store_begin(run->c)) != ERR_OK)
            break;
        e = fn(run, &r, k, total, errmsg);
        if ((k + 1) % run->batch == 0 || k + 1 == total || e != ERR_OK)
            e = store_end(run->c, e);
        progress(run, what, k + 1, total, false);
    }
    if (e == ERR_OK)
        progress(run, what, total, total, true);
    return e;
}

static enum err outreach_one(struct scale_run *run, struct rng *r, uint64_t k, uint64_t total,
                             char **errmsg)
{
    struct group_s *g = &run->groups[rng_pick(r, (unsigned)run->ngroups)];
    struct prov_s *pv = &run->prov[g->prov];
    struct outreach_in in;
    char date[DATE_SIZE];
    outreach_in_init(&in);
    spread_date(run, r, k, total, date);
    in.date = date;
    in.location_code = pv->villages[g->v0 + rng_pick(r, (unsigned)(g->v1 - g->v0))];
    in.group_id = g->id;
    const char *const *topics = outreach_topics[rng_pick(r, 5)];
    while (in.ntopics < 3 && topics[in.ntopics] != NULL) {
        in.topics[in.ntopics] = topics[in.ntopics];
        in.ntopics++;
    }
    in.has_attendance = true;
    in.attendance.female = 8 + (int)rng_pick(r, 25);
    in.attendance.male = (int)rng_pick(r, 12);
    in.attendance.under_18 =
        (int)rng_pick(r, (unsigned)(in.attendance.female + in.attendance.male) / 3 + 1);
    struct actor a;
    struct ctx cx = as_actor(run, &a, rng_pct(r, 60) ? &g->rep : &g->member);
    struct outreach_rec out = {0};
    struct fielderrs fe = {0};
    enum err e = outreach_create(&cx, &in, &out, &fe);
    outreach_rec_free(&out);
    if (e != ERR_OK)
        return demo_failf(e, &fe, errmsg, "outreach session %llu", (unsigned long long)k + 1);
    run->outreach++;
    return ERR_OK;
}

static enum err advice_one(struct scale_run *run, struct rng *r, uint64_t k, uint64_t total,
                           char **errmsg)
{
    static const char *const destinations[] = {"TH", "TH", "TH", "MY", "KR", "JP"};
    static const char *const th_channels[] = {"border_pass", "irregular", "licensed_agency",
                                              "government_mou"};
    static const char *const sectors[] = {"agriculture",   "construction", "manufacturing",
                                          "domestic_work", "hospitality",  "fishing"};
    static const char *const risks[] = {"unknown_employer", "debt_for_fees", "no_written_contract"};
    struct group_s *g = &run->groups[rng_pick(r, (unsigned)run->ngroups)];
    struct migrant_advice_in in;
    char date[DATE_SIZE], km[NAME_BUF], latn[NAME_BUF];
    migrant_advice_in_init(&in);
    spread_date(run, r, k, total, date);
    in.date = date;
    in.has_person = true;
    bool male = rng_pct(r, 30);
    pick_name(r, male, km, latn);
    in.person.name_km = km;
    in.person.name_latn = latn;
    in.person.sex = male ? "male" : "female";
    in.person.birth_year = atoi(date) - 18 - (int)rng_pick(r, 22);
    in.destination = destinations[rng_pick(r, 6)];
    in.sector = sectors[rng_pick(r, 6)];
    if (strcmp(in.destination, "KR") == 0)
        in.channel = "eps_korea";
    else if (strcmp(in.destination, "JP") == 0)
        in.channel = rng_pct(r, 50) ? "titp_japan" : "ssw_japan";
    else if (strcmp(in.destination, "MY") == 0)
        in.channel = rng_pct(r, 60) ? "licensed_agency" : "irregular";
    else
        in.channel = th_channels[rng_pick(r, 4)];
    in.has_documents = true;
    if (strcmp(in.channel, "irregular") != 0) {
        in.documents.passport = true;
        in.documents.contract = rng_pct(r, 70);
        in.documents.visa = rng_pct(r, 60);
    } else {
        in.risks[in.nrisks++] = risks[rng_pick(r, 3)];
    }
    in.group_id = g->id;
    struct actor a;
    struct ctx cx = as_actor(run, &a, rng_pct(r, 60) ? &g->rep : &g->member);
    struct advice_view out = {0};
    struct fielderrs fe = {0};
    enum err e = migrant_advice_create(&cx, &in, &out, &fe);
    advice_view_free(&out);
    sodium_memzero(km, sizeof km);
    sodium_memzero(latn, sizeof latn);
    if (e != ERR_OK)
        return demo_failf(e, &fe, errmsg, "advice record %llu", (unsigned long long)k + 1);
    run->advice++;
    return ERR_OK;
}

/* A representative's training of her group's members, or (every fourth) a
 * trainer's cascade training of the representatives of her province. */
static enum err training_one(struct scale_run *run, struct rng *r, uint64_t k, uint64_t total,
                             char **errmsg)
{
    static struct training_in in;
    struct group_s *g = &run->groups[rng_pick(r, (unsigned)run->ngroups)];
    struct prov_s *pv = &run->prov[g->prov];
    char date[DATE_SIZE];
    training_in_init(&in);
    spread_date(run, r, k, total, date);
    in.date = date;
    in.topics[in.ntopics++] = outreach_topics[rng_pick(r, 5)][0];
    in.location_code = g->commune;
    in.group_id = g->id;
    in.has_facilitator = true;
    bool cascade = k % 4 == 3 && pv->g1 - pv->g0 > 1;
    const struct user_rec *by = &g->rep;
    if (cascade) {
        in.audience = "representatives";
        in.facilitator.member_id = run->member_ids[g->m0 + 1];
        for (size_t o = pv->g0; o < pv->g1 && in.nparticipants < 12; o++)
            if (o != (size_t)(g - run->groups))
                in.participants[in.nparticipants++].member_id = run->member_ids[run->groups[o].m0];
        by = &pv->supervisor;
    } else {
        in.audience = "members";
        in.facilitator.member_id = run->member_ids[g->m0];
        for (size_t m = g->m0 + 1; m < g->m1 && in.nparticipants < 15; m++)
            in.participants[in.nparticipants++].member_id = run->member_ids[m];
    }
    for (int i = 0; i < in.nparticipants; i++) {
        int pre = 20 + (int)rng_pick(r, 40);
        in.scores[in.nscores++] = (struct score_in){
            .participant_index = i, .pre = pre, .post = pre + 5 + (int)rng_pick(r, 35)};
    }
    struct actor a;
    struct ctx cx = as_actor(run, &a, by);
    struct training_view out = {0};
    struct fielderrs fe = {0};
    enum err e = training_create(&cx, &in, &out, &fe);
    training_view_free(&out);
    if (e != ERR_OK)
        return demo_failf(e, &fe, errmsg, "training %llu", (unsigned long long)k + 1);
    run->trainings++;
    return ERR_OK;
}

/* ---- the whole ---- */

static void run_free(struct scale_run *run)
{
    for (size_t i = 0; i < run->nprov; i++) {
        struct prov_s *pv = &run->prov[i];
        free(pv->villages);
        free(pv->communes);
        for (int t = 0; t < SERVICE_TYPES; t++)
            service_rec_free(&pv->services[t]);
        user_rec_free(&pv->supervisor);
        user_rec_free(&pv->provider);
        for (size_t k = 0; k < pv->ncaseworkers; k++)
            user_rec_free(&pv->caseworkers[k]);
        free(pv->caseworkers);
    }
    for (size_t g = 0; g < run->ngroups; g++) {
        user_rec_free(&run->groups[g].rep);
        user_rec_free(&run->groups[g].member);
    }
    user_rec_free(&run->admin);
    free(run->groups);
    free(run->member_ids);
}

enum err demo_scale_populate(struct store_conn *c, const struct datakey *k, const struct places *p,
                             long n, const char *password, FILE *passwords_out, char **errmsg)
{
    struct scale_run *run = xcalloc(1, sizeof *run);
    struct screening_catalog *cat = NULL;
    char hash[PASSWORD_HASH_SIZE] = {0};
    char generated[DEMO_GENERATED_PASSWORD_CHARS + 1];
    enum err e;

    *errmsg = NULL;
    run->c = c;
    run->n = n;
    run->cx = (struct ctx){.db = c, .key = k, .places = p, .local_operator = true};
    run->tty = isatty(STDERR_FILENO) == 1;
    run->batch = strcmp(store_backend_name(store_of(c)), "sqlite") == 0 ? SCALE_BATCH_SQLITE
                                                                        : SCALE_BATCH_PG;
    run->t0 = clock_mono_ms();
    run->now_ms = clock_stamp_ms() - MS_HOUR;
    run->start_ms = run->now_ms - (int64_t)SCALE_YEARS * 365 * MS_DAY;
    if ((e = demo_check_empty(c, p, password, passwords_out, errmsg)) != ERR_OK)
        goto out;
    char *msg = NULL;
    e = screening_catalog_load(&cat, &msg);
    free(msg);
    if (e != ERR_OK) {
        demo_failf(e, NULL, errmsg, "screening catalog");
        goto out;
    }
    run->cx.screening = cat;
    /* Every account shares one password and its one Argon2id hash: hashing
     * thousands would take minutes. */
    if (password == NULL) {
        char token[TOKEN_SIZE];
        crypto_token(token);
        memcpy(generated, token, DEMO_GENERATED_PASSWORD_CHARS);
        generated[DEMO_GENERATED_PASSWORD_CHARS] = '\0';
        sodium_memzero(token, sizeof token);
        password = generated;
        run->passwords_out = passwords_out;
    }
    run->password = password;
    if ((e = crypto_password_hash(password, hash)) != ERR_OK) {
        demo_failf(e, NULL, errmsg, "hashing the password");
        goto out;
    }
    run->password_hash = hash;

    uint64_t ntrain = (uint64_t)n / 200, nout = (uint64_t)n / 20, nadv = (uint64_t)n / 5;
    /* The records made through the domain functions first: each takes the
     * process's strictly increasing time stamps, which run ahead of the
     * clock at thousands a second; the cases, dated by the plan, give the
     * clock time to catch up. */
    /* Not fatal: only slower. */
    bool bulk = store_bulk_load(c, true) == ERR_OK;
    /* The report's cells: built once from the loaded records (one pass per
     * table), not kept up to date record by record during the load. */
    store_report_defer(c, true);
    if ((e = make_provinces(run, p, errmsg)) != ERR_OK ||
        (e = make_groups(run, errmsg)) != ERR_OK || (e = make_members(run, errmsg)) != ERR_OK ||
        (e = make_users(run, errmsg)) != ERR_OK ||
        (e = batched(run, "trainings", ntrain < run->ngroups ? run->ngroups : ntrain, 1,
                     training_one, errmsg)) != ERR_OK ||
        (e = batched(run, "outreach sessions", nout, 2, outreach_one, errmsg)) != ERR_OK ||
        (e = batched(run, "advice records", nadv, 3, advice_one, errmsg)) != ERR_OK ||
        (e = make_cases(run, errmsg)) != ERR_OK) {
        if (bulk)
            store_bulk_load(c, false);
        goto out;
    }
    fputs("report cells: rebuilding from the records\n", stderr);
    if ((e = store_report_rebuild(c)) != ERR_OK) {
        demo_failf(e, NULL, errmsg, "building the report's cells");
        goto out;
    }
    store_report_defer(c, false);
    /* The usual journal and syncs again, the file synced: durable now. */
    if (bulk && (e = store_bulk_load(c, false)) != ERR_OK) {
        demo_failf(e, NULL, errmsg, "making the database durable");
        goto out;
    }
    fprintf(stderr,
            "cbpn: demo: %ld cases (%llu referrals, %llu incidents, %llu screenings, %llu notes), "
            "%zu groups, %zu members, %llu users, %llu trainings, %llu outreach sessions, "
            "%llu advice records in %.1f s\n",
            n, (unsigned long long)run->counts.referrals, (unsigned long long)run->counts.incidents,
            (unsigned long long)run->counts.screenings, (unsigned long long)run->counts.notes,
            run->ngroups, run->nmembers, (unsigned long long)run->users,
            (unsigned long long)run->trainings, (unsigned long long)run->outreach,
            (unsigned long long)run->advice, (double)(clock_mono_ms() - run->t0) / 1000.0);
out:
    sodium_memzero(hash, sizeof hash);
    sodium_memzero(generated, sizeof generated);
    screening_catalog_free(cat);
    run_free(run);
    free(run);
    return e;
}
