/* Incidents: the GBVIMS classification and context flags of DOMAIN.md §1,
 * the intake's refusals, who may record and read them, and what a record
 * writes (sealed description, timeline step, audit entry). Expectations
 * are written from DOMAIN.md, not from the code. */
#include "audit_fixture.h"
#include "domain_fixture.h"

#include <time.h>

#include "audit/audit.h"
#include "domain/cases.h"
#include "domain/incidents.h"

/* DOMAIN.md §1, the classification tool: the questions in order, and the
 * type the first "yes" decides. */
static const struct {
    const char *question; /* the answer's JSON name (API.md) */
    const char *type;
} ORDER[6] = {
    {"penetration", "rape"},
    {"sexual_contact", "sexual_assault"},
    {"physical_assault", "physical_assault"},
    {"forced_marriage", "forced_marriage"},
    {"denial_of_resources", "denial_of_resources"},
    {"psychological_abuse", "psychological_abuse"},
};

/* The type the table gives for answers a[]: the first yes, else non_gbv. */
static const char *expected_type(const bool a[6])
{
    for (int i = 0; i < 6; i++)
        if (a[i])
            return ORDER[i].type;
    return "non_gbv";
}

static int flag_index(const char *code)
{
    int i = code_parse(LIST_CONTEXT_FLAG, code);
    assert_true(i >= 0);
    return i;
}

/* ---- helpers: cases and inputs ---- */

/* A case reported by cx's caseworker or supervisor. birth_date or age
 * (NULL, -1: unknown) for the survivor. */
static void case_make(const struct ctx *cx, const char *birth_date, int age, char id[ID_SIZE])
{
    struct case_report_in in;
    struct case_view v = {0};
    struct fielderrs fe = {0};
    case_report_in_init(&in);
    in.location_code = PUOK_CHAS;
    in.concerns[0] = "sexual_violence";
    in.nconcerns = 1;
    in.has_survivor = true;
    in.survivor.sex = "female";
    in.survivor.name_latn = "Sokha Testname";
    in.survivor.birth_date = birth_date;
    in.survivor.age = age;
    assert_int_equal(case_report(cx, &in, &v, &fe), ERR_OK);
    memcpy(id, v.rec.id, ID_SIZE);
    case_view_free(&v);
}

/* Sets the case's status and assignee in the store, as the case workflow
 * would (assign, closure). */
static void case_set(struct fx *f, const char *id, const char *status, const char *assigned_to)
{
    struct case_rec r = {0};
    assert_int_equal(store_case_get(f->op.db, id, &r), ERR_OK);
    snprintf(r.status, sizeof r.status, "%s", status);
    snprintf(r.assigned_to, sizeof r.assigned_to, "%s", assigned_to);
    r.has_survivor = false; /* the survivor stays as it is */
    assert_int_equal(store_case_update(f->op.db, &r), ERR_OK);
    case_rec_free(&r);
}

static void date_in_days(int days, char out[DATE_SIZE])
{
    time_t t = time(NULL) + (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, DATE_SIZE, "%Y-%m-%d", &tm);
}

/* Marks every boolean and the perpetrators as sent, as the decoders do for
 * a body that has them. */
static void mark_sent(struct incident_in *in)
{
    in->acts.sent.set = (UINT64_C(1) << 6) - 1;
    fields_mark(&incident_fields, in, INCIDENT_F_GOODS_OR_MONEY_EXCHANGED, false);
    fields_mark(&incident_fields, in, INCIDENT_F_PERPETRATORS, false);
}

static void unsend(struct incident_in *in, int field)
{
    in->sent.set &= ~(UINT64_C(1) << field);
}

/* A valid incident: physical assault by a stranger, nothing else. */
static struct incident_in valid_in(void)
{
    struct incident_in in;
    incident_in_init(&in);
    in.date = "2024-05-10";
    in.reported_on = "2024-05-12";
    in.time_of_day = "evening_night";
    in.location_type = "workplace";
    in.location = PUOK_CHAS;
    in.migration_stage = "not_migration_related";
    in.has_acts = true;
    in.acts.physical_assault = true;
    in.abduction = "none";
    in.reported_elsewhere = "no";
    in.perpetrators[0] = (struct perpetrator_in){"male", "26_40", "stranger"};
    in.nperpetrators = 1;
    mark_sent(&in);
    return in;
}

static void set_acts(struct incident_in *in, const bool a[6])
{
    in->acts.penetration = a[0];
    in->acts.sexual_contact = a[1];
    in->acts.physical_assault = a[2];
    in->acts.forced_marriage = a[3];
    in->acts.denial_of_resources = a[4];
    in->acts.psychological_abuse = a[5];
}

static bool has_flag(const struct incident_view *v, const char *flag)
{
    char quoted[64];
    snprintf(quoted, sizeof quoted, "\"%s\"", flag);
    return v->rec.context_flags != NULL && strstr(v->rec.context_flags, quoted) != NULL;
}

static size_t incidents_of(struct fx *f, const char *case_id)
{
    struct incident_rec *items = NULL;
    size_t n = 0;
    assert_int_equal(store_incident_list(f->op.db, case_id, &items, &n), ERR_OK);
    incident_list_free(items, n);
    return n;
}

static int audit_count(struct fx *f, const char *action, const char *type, const char *id,
                       const char *detail)
{
    struct audit_rec *items = NULL;
    size_t n = 0;
    int count = 0;
    assert_int_equal(store_audit_range(f->op.db, 0, 1000000, &items, &n), ERR_OK);
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i].action, action) == 0 && strcmp(items[i].record_type, type) == 0 &&
            strcmp(items[i].record_id, id) == 0 &&
            (detail == NULL || (items[i].detail != NULL && strcmp(items[i].detail, detail) == 0)))
            count++;
    audit_list_free(items, n);
    return count;
}

static int audit_total(struct fx *f)
{
    struct audit_rec *items = NULL;
    size_t n = 0;
    assert_int_equal(store_audit_range(f->op.db, 0, 1000000, &items, &n), ERR_OK);
    audit_list_free(items, n);
    return (int)n;
}

/* Adds in to case_id as cx; ERR_OK expected; the view in *v. */
static void add_ok(const struct ctx *cx, const char *case_id, const struct incident_in *in,
                   struct incident_view *v)
{
    struct fielderrs fe = {0};
    enum err e = incident_add(cx, case_id, in, v, &fe);
    if (e != ERR_OK)
        fail_msg("incident_add: %d (%s: %s)", e, fe.n > 0 ? fe.e[0].field : "-",
                 fe.n > 0 ? fe.e[0].message : "-");
}

/* ---- the classification rule ---- */

static void test_classify_all_64_answers(void **state)
{
    (void)state;
    for (int i = 0; i < 6; i++)
        assert_string_equal(incident_act_code(i), ORDER[i].question);
    assert_null(incident_act_code(6));
    for (unsigned mask = 0; mask < 64; mask++) {
        bool a[6];
        for (int i = 0; i < 6; i++)
            a[i] = (mask >> i & 1) != 0;
        const char *got = code_name(LIST_GBV_TYPE, (int)incident_classify(a));
        if (got == NULL || strcmp(got, expected_type(a)) != 0)
            fail_msg("answers %02x: %s, expected %s", mask, got ? got : "?", expected_type(a));
    }
}

/* The same 64 through incident_add: what is stored and answered. */
static void test_classify_all_64_recorded(void **state)
{
    struct fx *f = *state;
    struct actor cw;
    fx_actor(f, "caseworker", f->org, NULL, &cw);
    struct ctx cx = fx_ctx(f, &cw);
    char case_id[ID_SIZE];
    case_make(&cx, "1990-01-01", -1, case_id);
    for (unsigned mask = 0; mask < 64; mask++) {
        bool a[6];
        for (int i = 0; i < 6; i++)
            a[i] = (mask >> i & 1) != 0;
        struct incident_in in = valid_in();
        set_acts(&in, a);
        struct incident_view v = {0};
        add_ok(&cx, case_id, &in, &v);
        if (strcmp(v.rec.gbv_type, expected_type(a)) != 0)
            fail_msg("answers %02x: %s, expected %s", mask, v.rec.gbv_type, expected_type(a));
        for (int i = 0; i < 6; i++)
            assert_int_equal(v.rec.acts[i], a[i]); /* the answers are kept as given */
        incident_view_free(&v);
    }
    struct incident_view *items = NULL;
    size_t n = 0;
    assert_int_equal(incident_list(&cx, case_id, &items, &n), ERR_OK);
    assert_int_equal(n, 64);
    for (size_t k = 0; k < n; k++) {
        bool a[6];
        for (int i = 0; i < 6; i++)
            a[i] = items[k].rec.acts[i];
        assert_string_equal(items[k].rec.gbv_type, expected_type(a));
    }
    incident_views_free(items, n);
    actor_free(&cw);
}

/* ---- the context flags, rule by rule ---- */

static void flags_of(const char *type, int age, bool goods, const char *abduction,
                     const char *const *rel, int nrel, bool out[FLAG__MAX])
{
    int t = code_parse(LIST_GBV_TYPE, type);
    assert_true(t >= 0);
    struct incident_context c = {age, goods, abduction, rel, nrel};
    incident_flags((enum gbv_type)t, &c, out);
}

static int nflags(const bool fl[FLAG__MAX])
{
    int n = 0;
    for (int i = 0; i < FLAG__MAX; i++)
        n += fl[i];
    return n;
}

static void test_flag_intimate_partner_violence(void **state)
{
    (void)state;
    int ipv = flag_index("intimate_partner_violence");
    bool fl[FLAG__MAX];
    /* Every relationship of DOMAIN.md with every type. */
    for (int r = 0; r < code_count(LIST_RELATIONSHIP); r++) {
        const char *rel[1] = {code_name(LIST_RELATIONSHIP, r)};
        bool partner =
            strcmp(rel[0], "intimate_partner") == 0 || strcmp(rel[0], "former_partner") == 0;
        for (int t = 0; t < code_count(LIST_GBV_TYPE); t++) {
            const char *type = code_name(LIST_GBV_TYPE, t);
            flags_of(type, 30, false, "none", rel, 1, fl);
            bool expect = partner && strcmp(type, "non_gbv") != 0;
            if (fl[ipv] != expect)
                fail_msg("%s by %s: ipv %d", type, rel[0], fl[ipv]);
            assert_int_equal(nflags(fl), expect ? 1 : 0);
        }
    }
    /* One partner among others is enough; none, or no perpetrator, is not. */
    const char *mixed[] = {"stranger", "former_partner", "family"};
    flags_of("psychological_abuse", 30, false, "none", mixed, 3, fl);
    assert_true(fl[ipv]);
    const char *others[] = {"stranger", "family", "friend", "unknown"};
    flags_of("physical_assault", 30, false, "none", others, 4, fl);
    assert_false(fl[ipv]);
    flags_of("rape", 30, false, "none", NULL, 0, fl);
    assert_false(fl[ipv]);
    /* non_gbv is never IPV, whoever did it. */
    const char *partners[] = {"intimate_partner", "former_partner"};
    flags_of("non_gbv", 30, true, "trafficked", partners, 2, fl);
    assert_int_equal(nflags(fl), 0);
    flags_of("non_gbv", 15, true, "trafficked", partners, 2, fl);
    assert_int_equal(nflags(fl), 0);
}

static void test_flag_child_sexual_abuse_and_early_marriage(void **state)
{
    (void)state;
    int csa = flag_index("child_sexual_abuse"), em = flag_index("early_marriage");
    bool fl[FLAG__MAX];
    for (int t = 0; t < code_count(LIST_GBV_TYPE); t++) {
        const char *type = code_name(LIST_GBV_TYPE, t);
        bool sexual = strcmp(type, "rape") == 0 || strcmp(type, "sexual_assault") == 0;
        bool marriage = strcmp(type, "forced_marriage") == 0;
        const int ages[] = {0, 11, 17, 18, 19, 45, -1};
        for (size_t k = 0; k < sizeof ages / sizeof ages[0]; k++) {
            bool child = ages[k] >= 0 && ages[k] < 18;
            flags_of(type, ages[k], false, "none", NULL, 0, fl);
            if (fl[csa] != (child && sexual) || fl[em] != (child && marriage))
                fail_msg("%s at %d: csa %d, early marriage %d", type, ages[k], fl[csa], fl[em]);
            assert_int_equal(nflags(fl), (child && (sexual || marriage)) ? 1 : 0);
        }
    }
}

static void test_flag_possible_sexual_exploitation_and_slavery(void **state)
{
    (void)state;
    int ex = flag_index("possible_sexual_exploitation"), sl = flag_index("possible_sexual_slavery");
    bool fl[FLAG__MAX];
    for (int t = 0; t < code_count(LIST_GBV_TYPE); t++) {
        const char *type = code_name(LIST_GBV_TYPE, t);
        bool sexual = strcmp(type, "rape") == 0 || strcmp(type, "sexual_assault") == 0;
        for (int goods = 0; goods < 2; goods++)
            for (int a = 0; a < code_count(LIST_ABDUCTION); a++) {
                const char *abd = code_name(LIST_ABDUCTION, a);
                bool abducted = strcmp(abd, "none") != 0; /* trafficked included */
                flags_of(type, 30, goods == 1, abd, NULL, 0, fl);
                if (fl[ex] != (sexual && goods) || fl[sl] != (sexual && abducted))
                    fail_msg("%s, goods %d, %s: exploitation %d, slavery %d", type, goods, abd,
                             fl[ex], fl[sl]);
                assert_int_equal(nflags(fl), (sexual && goods) + (sexual && abducted));
            }
    }
    /* All five at once: a girl raped by her husband, trafficked, paid for. */
    const char *rel[] = {"intimate_partner"};
    flags_of("rape", 16, true, "trafficked", rel, 1, fl);
    assert_int_equal(nflags(fl), 4); /* every flag but early_marriage */
    assert_false(fl[flag_index("early_marriage")]);
}

/* ---- the survivor's age on the incident date ---- */

static void incident_on(const struct ctx *cx, const char *case_id, const char *date, int act,
                        struct incident_view *v)
{
    struct incident_in in = valid_in();
    bool a[6] = {false};
    a[act] = true;
    set_acts(&in, a);
    in.date = date;
    in.reported_on = date;
    add_ok(cx, case_id, &in, v);
}

static void test_age_18_boundary(void **state)
{
    struct fx *f = *state;
    struct actor cw;
    fx_actor(f, "caseworker", f->org, NULL, &cw);
    struct ctx cx = fx_ctx(f, &cw);
    struct incident_view v = {0};
    char born[ID_SIZE], leap[ID_SIZE], aged17[ID_SIZE], aged18[ID_SIZE], unknown[ID_SIZE];
    case_make(&cx, "2000-06-15", -1, born);
    case_make(&cx, "2004-02-29", -1, leap);
    case_make(&cx, NULL, 17, aged17);
    case_make(&cx, NULL, 18, aged18);
    case_make(&cx, NULL, -1, unknown);

    /* The day before her 18th birthday she is 17: a child. */
    incident_on(&cx, born, "2018-06-14", 0, &v);
    assert_int_equal(v.rec.survivor_age, 17);
    assert_true(has_flag(&v, "child_sexual_abuse"));
    incident_view_free(&v);
    incident_on(&cx, born, "2018-06-14", 3, &v);
    assert_string_equal(v.rec.gbv_type, "forced_marriage");
    assert_true(has_flag(&v, "early_marriage"));
    incident_view_free(&v);
    /* On her birthday she is 18. */
    incident_on(&cx, born, "2018-06-15", 0, &v);
    assert_int_equal(v.rec.survivor_age, 18);
    assert_false(has_flag(&v, "child_sexual_abuse"));
    assert_string_equal(v.rec.context_flags, "[]");
    incident_view_free(&v);
    incident_on(&cx, born, "2018-06-15", 3, &v);
    assert_false(has_flag(&v, "early_marriage"));
    incident_view_free(&v);
    /* Born on 29 February: 17 on 28 February, 18 on 1 March. */
    incident_on(&cx, leap, "2022-02-28", 1, &v);
    assert_int_equal(v.rec.survivor_age, 17);
    assert_true(has_flag(&v, "child_sexual_abuse"));
    incident_view_free(&v);
    incident_on(&cx, leap, "2022-03-01", 1, &v);
    assert_int_equal(v.rec.survivor_age, 18);
    assert_false(has_flag(&v, "child_sexual_abuse"));
    incident_view_free(&v);

    /* Only an age given (today): an incident today finds her that age. */
    char today[DATE_SIZE];
    date_in_days(0, today);
    incident_on(&cx, aged17, today, 0, &v);
    assert_int_equal(v.rec.survivor_age, 17);
    assert_true(has_flag(&v, "child_sexual_abuse"));
    incident_view_free(&v);
    incident_on(&cx, aged18, today, 0, &v);
    assert_int_equal(v.rec.survivor_age, 18);
    assert_false(has_flag(&v, "child_sexual_abuse"));
    incident_view_free(&v);
    /* Unknown age: no age-based flag, even for rape or forced marriage. */
    incident_on(&cx, unknown, "2020-01-01", 0, &v);
    assert_int_equal(v.rec.survivor_age, -1);
    assert_string_equal(v.rec.context_flags, "[]");
    incident_view_free(&v);
    incident_on(&cx, unknown, "2020-01-01", 3, &v);
    assert_false(has_flag(&v, "early_marriage"));
    incident_view_free(&v);
    actor_free(&cw);
}

/* Flags through incident_add: relationships, goods, abduction. */
static void test_flags_recorded(void **state)
{
    struct fx *f = *state;
    struct actor sup;
    fx_actor(f, "supervisor", f->org, NULL, &sup);
    struct ctx cx = fx_ctx(f, &sup);
    char id[ID_SIZE];
    case_make(&cx, "1995-03-03", -1, id);
    struct incident_view v = {0};

    struct incident_in in = valid_in(); /* physical assault */
    in.perpetrators[1] = (struct perpetrator_in){"male", "26_40", "former_partner"};
    in.nperpetrators = 2;
    add_ok(&cx, id, &in, &v);
    assert_string_equal(v.rec.context_flags, "[\"intimate_partner_violence\"]");
    incident_view_free(&v);

    in = valid_in();
    in.perpetrators[0].relationship = "intimate_partner";
    in.acts.physical_assault = false; /* non_gbv */
    add_ok(&cx, id, &in, &v);
    assert_string_equal(v.rec.gbv_type, "non_gbv");
    assert_string_equal(v.rec.context_flags, "[]");
    incident_view_free(&v);

    in = valid_in();
    in.acts.sexual_contact = true;
    in.goods_or_money_exchanged = true;
    in.abduction = "trafficked";
    add_ok(&cx, id, &in, &v);
    assert_string_equal(v.rec.gbv_type, "sexual_assault");
    assert_true(has_flag(&v, "possible_sexual_exploitation"));
    assert_true(has_flag(&v, "possible_sexual_slavery"));
    assert_false(has_flag(&v, "child_sexual_abuse"));
    incident_view_free(&v);

    /* No perpetrator known: an empty list is an answer. */
    in = valid_in();
    in.nperpetrators = 0;
    add_ok(&cx, id, &in, &v);
    assert_string_equal(v.rec.perpetrators, "[]");
    incident_view_free(&v);
    actor_free(&sup);
}

/* ---- refusals ---- */

static void test_refusals(void **state)
{
    struct fx *f = *state;
    struct actor cw;
    fx_actor(f, "caseworker", f->org, NULL, &cw);
    struct ctx cx = fx_ctx(f, &cw);
    char id[ID_SIZE], future[DATE_SIZE], tomorrow2[DATE_SIZE], today[DATE_SIZE];
    case_make(&cx, "1995-03-03", -1, id);
    date_in_days(3, future);
    date_in_days(2, tomorrow2);
    date_in_days(0, today);
    char big[DESCRIPTION_MAX_CHARS + 2];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    int audits = audit_total(f);

    struct incident_in in;
    struct incident_view v = {0};
    struct fielderrs fe;
#define REFUSED(stmt, fieldname)                                                                   \
    do {                                                                                           \
        in = valid_in();                                                                           \
        stmt;                                                                                      \
        memset(&fe, 0, sizeof fe);                                                                 \
        assert_int_equal(incident_add(&cx, id, &in, &v, &fe), ERR_VALIDATION);                     \
        if (fielderr_get(&fe, fieldname) == NULL)                                                  \
            fail_msg("%s: no error for %s", #stmt, fieldname);                                     \
        assert_null(v.description);                                                                \
    } while (0)
    /* Each required field missing. */
    REFUSED(in.date = NULL, "date");
    REFUSED(in.reported_on = NULL, "reported_on");
    REFUSED(in.time_of_day = NULL, "time_of_day");
    REFUSED(in.location_type = NULL, "location_type");
    REFUSED(in.location = NULL, "location");
    REFUSED(in.migration_stage = NULL, "migration_stage");
    REFUSED(in.has_acts = false, "acts");
    REFUSED(unsend(&in, INCIDENT_F_GOODS_OR_MONEY_EXCHANGED), "goods_or_money_exchanged");
    REFUSED(in.abduction = NULL, "abduction");
    REFUSED(in.reported_elsewhere = NULL, "reported_elsewhere");
    REFUSED((unsend(&in, INCIDENT_F_PERPETRATORS), in.nperpetrators = 0), "perpetrators");
    for (int i = 0; i < 6; i++) {
        char path[48];
        snprintf(path, sizeof path, "acts.%s", ORDER[i].question);
        /* A missing answer is not a "no". */
        in = valid_in();
        in.acts.sent.set &= ~(UINT64_C(1) << i);
        memset(&fe, 0, sizeof fe);
        assert_int_equal(incident_add(&cx, id, &in, &v, &fe), ERR_VALIDATION);
        if (fielderr_get(&fe, path) == NULL)
            fail_msg("no error for %s", path);
    }
    REFUSED(in.perpetrators[0].sex = NULL, "perpetrators.sex");
    REFUSED(in.perpetrators[0].age_group = NULL, "perpetrators.age_group");
    REFUSED(in.perpetrators[0].relationship = NULL, "perpetrators.relationship");
    /* Each bad code. */
    REFUSED(in.time_of_day = "midnight", "time_of_day");
    REFUSED(in.location_type = "home", "location_type");
    REFUSED(in.migration_stage = "abroad", "migration_stage");
    REFUSED(in.abduction = "kidnapped", "abduction");
    REFUSED(in.reported_elsewhere = "yes", "reported_elsewhere");
    REFUSED(in.perpetrators[0].sex = "man", "perpetrators.sex");
    REFUSED(in.perpetrators[0].age_group = "18_40", "perpetrators.age_group");
    REFUSED(in.perpetrators[0].relationship = "husband", "perpetrators.relationship");
    REFUSED((in.has_exploitation = true, in.exploitation.sector = "mining"), "exploitation.sector");
    REFUSED((in.has_exploitation = true, in.exploitation.channel = "boat"), "exploitation.channel");
    REFUSED((in.has_exploitation = true, in.exploitation.destination = "Thailand"),
            "exploitation.destination");
    /* Dates: real, not in the future, reported not before the incident. */
    REFUSED(in.date = "2024-02-30", "date");
    REFUSED(in.date = "10/05/2024", "date");
    REFUSED((in.date = future, in.reported_on = future), "date");
    REFUSED(in.reported_on = future, "reported_on");
    REFUSED((in.date = tomorrow2, in.reported_on = tomorrow2), "date");
    REFUSED(in.reported_on = "2024-05-09", "reported_on");
    /* Places: known to the gazetteer, or another country's code. */
    REFUSED(in.location = "99999999", "location");
    REFUSED(in.location = "1799", "location");
    REFUSED(in.location = "KH", "location"); /* Cambodia is a gazetteer code */
    REFUSED(in.location = "th", "location");
    REFUSED(in.location = "17071001; DROP TABLE incident", "location");
    /* Lists and text bounded. */
    REFUSED(in.nperpetrators = PERPETRATORS_MAX + 1, "perpetrators");
    REFUSED(in.description = big, "description");
    REFUSED(in.description = "bad\x01text", "description");
#undef REFUSED
    assert_int_equal(incidents_of(f, id), 0);
    assert_int_equal(audit_total(f), audits); /* nothing written */

    /* At the bounds: today, reported the same day, ten perpetrators,
     * 4000 characters, a province, a village, another country. */
    in = valid_in();
    in.date = today;
    in.reported_on = today;
    for (int i = 0; i < PERPETRATORS_MAX; i++)
        in.perpetrators[i] = (struct perpetrator_in){"unknown", "unknown", "unknown"};
    in.nperpetrators = PERPETRATORS_MAX;
    big[DESCRIPTION_MAX_CHARS] = '\0';
    in.description = big;
    add_ok(&cx, id, &in, &v);
    assert_int_equal(strlen(v.description), DESCRIPTION_MAX_CHARS);
    incident_view_free(&v);
    const char *places[] = {"17", KRALANH_VILLAGE, "TH", "MY"};
    for (size_t i = 0; i < 4; i++) {
        in = valid_in();
        in.location = places[i];
        add_ok(&cx, id, &in, &v);
        assert_string_equal(v.rec.location, places[i]);
        incident_view_free(&v);
    }
    assert_int_equal(incidents_of(f, id), 5);
    actor_free(&cw);
}

/* ---- who may ---- */

static void test_who_may_record_and_read(void **state)
{
    struct fx *f = *state;
    struct actor mem, rep, cw, cw2, cwo, sup, sup2, prov, an, adm;
    fx_actor(f, "member", f->org, f->group1, &mem);
    fx_actor(f, "representative", f->org, f->group1, &rep);
    fx_actor(f, "caseworker", f->org, NULL, &cw);
    fx_actor(f, "caseworker", f->org, NULL, &cw2);
    fx_actor(f, "caseworker", f->org2, NULL, &cwo);
    fx_actor(f, "supervisor", f->org, NULL, &sup);
    fx_actor(f, "supervisor", f->org2, NULL, &sup2);
    fx_actor(f, "provider", f->porg, NULL, &prov);
    fx_actor(f, "analyst", f->org, NULL, &an);
    fx_actor(f, "admin", f->org, NULL, &adm);
    struct ctx cx = fx_ctx(f, &sup);
    char open_id[ID_SIZE], theirs[ID_SIZE], mine[ID_SIZE];
    case_make(&cx, "1995-03-03", -1, open_id); /* reported, unassigned */
    case_make(&cx, "1995-03-03", -1, theirs);
    case_set(f, theirs, "open", cw2.user.id);
    case_make(&cx, "1995-03-03", -1, mine);
    case_set(f, mine, "open", cw.user.id);

    struct incident_in in = valid_in();
    struct incident_view v = {0};
    struct incident_view *items = NULL;
    size_t n = 0;
    struct fielderrs fe = {0};
    int audits = audit_total(f);

    /* Roles that may not record incidents: 403, on any case. */
    const struct actor *no[] = {&mem, &rep, &prov, &an, &adm};
    for (size_t i = 0; i < 5; i++) {
        cx = fx_ctx(f, no[i]);
        assert_int_equal(incident_add(&cx, open_id, &in, &v, &fe), ERR_FORBIDDEN);
        assert_int_equal(incident_add(&cx, "nosuchcase", &in, &v, &fe), ERR_FORBIDDEN);
        assert_int_equal(incident_list(&cx, open_id, &items, &n), ERR_FORBIDDEN);
        assert_null(items);
    }
    /* Out of reach: 404, like a case that does not exist. */
    cx = fx_ctx(f, &cwo);
    assert_int_equal(incident_add(&cx, open_id, &in, &v, &fe), ERR_NOT_FOUND);
    assert_int_equal(incident_list(&cx, open_id, &items, &n), ERR_NOT_FOUND);
    cx = fx_ctx(f, &sup2);
    assert_int_equal(incident_add(&cx, open_id, &in, &v, &fe), ERR_NOT_FOUND);
    cx = fx_ctx(f, &cw);
    assert_int_equal(incident_add(&cx, theirs, &in, &v, &fe), ERR_NOT_FOUND);
    assert_int_equal(incident_list(&cx, theirs, &items, &n), ERR_NOT_FOUND);
    assert_int_equal(incident_add(&cx, "nosuchcase", &in, &v, &fe), ERR_NOT_FOUND);
    assert_int_equal(incident_add(&cx, "../../etc/passwd", &in, &v, &fe), ERR_NOT_FOUND);
    /* A bad body out of reach is still 404: reach is decided first. */
    struct incident_in bad = valid_in();
    bad.date = NULL;
    assert_int_equal(incident_add(&cx, theirs, &bad, &v, &fe), ERR_NOT_FOUND);
    cx = fx_ctx(f, &mem);
    assert_int_equal(incident_add(&cx, open_id, &bad, &v, &fe), ERR_FORBIDDEN);
    assert_int_equal(fe.n, 0);
    assert_int_equal(audit_total(f), audits);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(incidents_of(f, (const char *[]){open_id, theirs, mine}[i]), 0);

    /* The caseworker of the case, a caseworker on an unassigned case of her
     * organization, the supervisor. */
    cx = fx_ctx(f, &cw);
    add_ok(&cx, mine, &in, &v);
    incident_view_free(&v);
    add_ok(&cx, open_id, &in, &v);
    incident_view_free(&v);
    cx = fx_ctx(f, &cw2);
    add_ok(&cx, theirs, &in, &v);
    incident_view_free(&v);
    cx = fx_ctx(f, &sup);
    add_ok(&cx, theirs, &in, &v);
    incident_view_free(&v);
    assert_int_equal(incident_list(&cx, theirs, &items, &n), ERR_OK);
    assert_int_equal(n, 2);
    incident_views_free(items, n);

    /* The local operator records nothing: an incident has a real author. */
    assert_int_equal(incident_add(&f->op, mine, &in, &v, &fe), ERR_FORBIDDEN);

    struct actor *all[] = {&mem, &rep, &cw, &cw2, &cwo, &sup, &sup2, &prov, &an, &adm};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        actor_free(all[i]);
}

/* ---- what a record writes ---- */

static void test_record_writes(void **state)
{
    struct fx *f = *state;
    struct actor cw;
    fx_actor(f, "caseworker", f->org, NULL, &cw);
    struct ctx cx = fx_ctx(f, &cw);
    char id[ID_SIZE];
    case_make(&cx, "2009-01-20", -1, id);
    struct case_rec before = {0}, after = {0};
    assert_int_equal(store_case_get(f->op.db, id, &before), ERR_OK);

    struct incident_in in = valid_in();
    in.acts.penetration = true;
    in.date = "2024-05-10";
    in.location = "TH";
    in.migration_stage = "destination";
    in.abduction = "trafficked";
    in.description = "Taken across at Poipet by Testbroker Vannak.";
    in.has_exploitation = true;
    in.exploitation.sector = "fishing";
    in.exploitation.destination = "TH";
    in.exploitation.channel = "irregular";
    struct incident_view v = {0};
    add_ok(&cx, id, &in, &v);

    /* The answer: computed type, flags, age; the description opened. */
    assert_string_equal(v.rec.gbv_type, "rape");
    assert_int_equal(v.rec.survivor_age, 15);
    assert_true(has_flag(&v, "child_sexual_abuse"));
    assert_true(has_flag(&v, "possible_sexual_slavery"));
    assert_false(has_flag(&v, "possible_sexual_exploitation"));
    assert_string_equal(v.description, in.description);
    assert_null(v.rec.description.p);
    assert_string_equal(v.rec.case_id, id);
    assert_string_equal(v.rec.created_by, cw.user.id);
    assert_true(v.rec.created_at[0] != '\0');
    assert_non_null(strstr(v.rec.exploitation, "\"sector\":\"fishing\""));
    assert_non_null(strstr(v.rec.perpetrators, "\"relationship\":\"stranger\""));

    /* Stored: the description sealed for this incident's description only. */
    struct incident_rec *items = NULL;
    size_t n = 0;
    assert_int_equal(store_incident_list(f->op.db, id, &items, &n), ERR_OK);
    assert_int_equal(n, 1);
    struct blob *b = &items[0].description;
    assert_true(b->len > 0);
    assert_null(memmem(b->p, b->len, "Testbroker", 10));
    assert_null(memmem(b->p, b->len, "Poipet", 6));
    char *pt = NULL, ad[64];
    size_t len = 0;
    struct blob wk = {0};
    struct casekey *ck = NULL;
    snprintf(ad, sizeof ad, "case_key/%s", id);
    assert_int_equal(store_case_key_get(f->op.db, id, &wk), ERR_OK);
    assert_true(casekey_open(f->key, ad, &wk, &ck));
    assert_false(casekey_unseal(ck, items[0].id, b, &pt, &len));
    assert_false(casekey_unseal(ck, id, b, &pt, &len));
    snprintf(ad, sizeof ad, "%s/description", items[0].id);
    assert_false(crypto_unseal(f->key, ad, b, &pt, &len)); /* the data key alone does not */
    assert_true(casekey_unseal(ck, ad, b, &pt, &len));
    assert_string_equal(pt, in.description);
    crypto_free_text(pt);
    casekey_free(ck);
    free(wk.p);
    incident_list_free(items, n);

    /* A timeline step and an audit entry; the case's version unchanged. */
    struct case_event_rec *ev = NULL;
    size_t nev = 0;
    int steps = 0;
    assert_int_equal(store_case_event_list(f->op.db, id, &ev, &nev), ERR_OK);
    for (size_t i = 0; i < nev; i++)
        if (strcmp(ev[i].kind, "incident") == 0) {
            steps++;
            assert_string_equal(ev[i].ref_id, v.rec.id);
            assert_string_equal(ev[i].detail, "rape");
            assert_string_equal(ev[i].user_id, cw.user.id);
            assert_int_equal(ev[i].text.len, 0);
        }
    case_event_list_free(ev, nev);
    assert_int_equal(steps, 1);
    assert_int_equal(audit_count(f, "create", "incident", v.rec.id, NULL), 1);
    assert_int_equal(store_case_get(f->op.db, id, &after), ERR_OK);
    assert_int_equal(after.version, before.version);
    assert_string_equal(after.updated_at, before.updated_at);
    case_rec_free(&before);
    case_rec_free(&after);

    /* The list opens descriptions, and is audited as one read of the case. */
    int reads = audit_count(f, "read", "case", id, "incidents");
    struct incident_view *list = NULL;
    assert_int_equal(incident_list(&cx, id, &list, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].description, in.description);
    assert_string_equal(list[0].rec.id, v.rec.id);
    incident_views_free(list, n);
    assert_int_equal(audit_count(f, "read", "case", id, "incidents"), reads + 1);

    /* Embedded in a case just read (its read already audited). */
    struct case_view cv = {0};
    assert_int_equal(case_get(&cx, id, &cv), ERR_OK);
    int total = audit_total(f);
    assert_int_equal(incident_list_of(&cx, &cv, &list, &n), ERR_OK);
    assert_int_equal(n, 1);
    incident_views_free(list, n);
    assert_int_equal(audit_total(f), total);
    case_view_free(&cv);

    /* A closed case takes no new incident: 409, nothing written. */
    case_set(f, id, "closed", cw.user.id);
    struct fielderrs fe = {0};
    struct incident_view w = {0};
    total = audit_total(f);
    assert_int_equal(incident_add(&cx, id, &in, &w, &fe), ERR_CONFLICT);
    assert_int_equal(incidents_of(f, id), 1);
    assert_int_equal(audit_total(f), total);
    /* Its incidents can still be read. */
    assert_int_equal(incident_list(&cx, id, &list, &n), ERR_OK);
    assert_int_equal(n, 1);
    incident_views_free(list, n);
    incident_view_free(&v);
    actor_free(&cw);
}

int main(void)
{
    test_audit_keys();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify_all_64_answers),
        cmocka_unit_test(test_classify_all_64_recorded),
        cmocka_unit_test(test_flag_intimate_partner_violence),
        cmocka_unit_test(test_flag_child_sexual_abuse_and_early_marriage),
        cmocka_unit_test(test_flag_possible_sexual_exploitation_and_slavery),
        cmocka_unit_test(test_age_18_boundary),
        cmocka_unit_test(test_flags_recorded),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_who_may_record_and_read),
        cmocka_unit_test(test_record_writes),
    };
    return cmocka_run_group_tests_name("incidents", tests, fx_setup, fx_teardown);
}
