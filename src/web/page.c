/* The page layout, error pages and labels shared by the page handlers. */
#include "web/page.h"

#include "domain/cases.h"
#include "domain/idem.h"
#include "domain/scope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "auth/perm.h"
#include "domain/casework.h"
#include "domain/place.h"
#include "domain/referrals.h"
#include "domain/scope.h"
#include "util/alloc.h"
#include "util/embed.h"
#include "web/web.h"

static const enum msg concern_msgs[CONCERN__MAX] = {
    [CONCERN_TRAFFICKING] = MSG_CONCERN_TRAFFICKING,
    [CONCERN_FORCED_LABOUR] = MSG_CONCERN_FORCED_LABOUR,
    [CONCERN_LABOUR_EXPLOITATION] = MSG_CONCERN_LABOUR_EXPLOITATION,
    [CONCERN_UNSAFE_MIGRATION] = MSG_CONCERN_UNSAFE_MIGRATION,
    [CONCERN_DOMESTIC_VIOLENCE] = MSG_CONCERN_DOMESTIC_VIOLENCE,
    [CONCERN_SEXUAL_VIOLENCE] = MSG_CONCERN_SEXUAL_VIOLENCE,
    [CONCERN_OTHER_VIOLENCE] = MSG_CONCERN_OTHER_VIOLENCE,
    [CONCERN_CHILD_AT_RISK] = MSG_CONCERN_CHILD_AT_RISK,
    [CONCERN_OTHER] = MSG_CONCERN_OTHER,
};

static const enum msg status_msgs[STATUS__MAX] = {
    [STATUS_REPORTED] = MSG_STATUS_REPORTED,
    [STATUS_OPEN] = MSG_STATUS_OPEN,
    [STATUS_CLOSURE_REQUESTED] = MSG_STATUS_CLOSURE_REQUESTED,
    [STATUS_CLOSED] = MSG_STATUS_CLOSED,
};

static const enum msg risk_msgs[RISK__MAX] = {
    [RISK_LOW] = MSG_RISK_LOW,
    [RISK_MEDIUM] = MSG_RISK_MEDIUM,
    [RISK_HIGH] = MSG_RISK_HIGH,
};

static const enum msg sex_msgs[SEX__MAX] = {
    [SEX_FEMALE] = MSG_SEX_FEMALE,
    [SEX_MALE] = MSG_SEX_MALE,
    [SEX_OTHER] = MSG_SEX_OTHER,
    [SEX_UNKNOWN] = MSG_SEX_UNKNOWN,
};

/* Labels of the other lists the case pages show, in each list's order
 * (util/codes.c); a test checks every list's size against code_count(). */
#define L(x) MSG_##x
static const enum msg closure_msgs[] = {
    L(CLOSURE_SERVICES_COMPLETED), L(CLOSURE_SURVIVOR_REQUEST),
    L(CLOSURE_REFERRED_ELSEWHERE), L(CLOSURE_MOVED_AWAY),
    L(CLOSURE_LOST_CONTACT),       L(CLOSURE_NO_PROTECTION_CONCERN),
    L(CLOSURE_DECEASED),           L(CLOSURE_OTHER)};
static const enum msg marital_msgs[] = {L(MARITAL_SINGLE), L(MARITAL_MARRIED_OR_COHABITING),
                                        L(MARITAL_DIVORCED_OR_SEPARATED), L(MARITAL_WIDOWED),
                                        L(MARITAL_UNKNOWN)};
static const enum msg gbv_msgs[] = {L(GBV_RAPE),
                                    L(GBV_SEXUAL_ASSAULT),
                                    L(GBV_PHYSICAL_ASSAULT),
                                    L(GBV_FORCED_MARRIAGE),
                                    L(GBV_DENIAL_OF_RESOURCES),
                                    L(GBV_PSYCHOLOGICAL_ABUSE),
                                    L(GBV_NON_GBV)};
static const enum msg flag_msgs[] = {L(FLAG_INTIMATE_PARTNER_VIOLENCE), L(FLAG_CHILD_SEXUAL_ABUSE),
                                     L(FLAG_EARLY_MARRIAGE), L(FLAG_POSSIBLE_SEXUAL_EXPLOITATION),
                                     L(FLAG_POSSIBLE_SEXUAL_SLAVERY)};
static const enum msg tod_msgs[] = {L(TOD_MORNING), L(TOD_AFTERNOON), L(TOD_EVENING_NIGHT),
                                    L(TOD_UNKNOWN)};
static const enum msg loctype_msgs[] = {
    L(LOC_HOME_SURVIVOR), L(LOC_HOME_PERPETRATOR), L(LOC_WORKPLACE), L(LOC_EMPLOYER_HOUSING),
    L(LOC_ROAD),          L(LOC_BORDER_CROSSING),  L(LOC_VEHICLE),   L(LOC_MARKET),
    L(LOC_GUEST_HOUSE),   L(LOC_SCHOOL),           L(LOC_FARM),      L(LOC_FISHING_BOAT),
    L(LOC_OTHER)};
static const enum msg stage_msgs[] = {L(STAGE_PRE_DEPARTURE), L(STAGE_TRANSIT),
                                      L(STAGE_DESTINATION), L(STAGE_RETURN), L(STAGE_NONE)};
static const enum msg abduction_msgs[] = {L(ABDUCTION_NONE), L(ABDUCTION_TRAFFICKED),
                                          L(ABDUCTION_FORCED_CONSCRIPTION), L(ABDUCTION_OTHER)};
static const enum msg elsewhere_msgs[] = {L(ELSEWHERE_NO), L(ELSEWHERE_GBVIMS),
                                          L(ELSEWHERE_NON_GBVIMS)};
static const enum msg age_group_msgs[] = {
    L(AGEGROUP_0_11),  L(AGEGROUP_12_17),   L(AGEGROUP_18_25),  L(AGEGROUP_26_40),
    L(AGEGROUP_41_60), L(AGEGROUP_61_PLUS), L(AGEGROUP_UNKNOWN)};
static const enum msg relationship_msgs[] = {L(REL_INTIMATE_PARTNER),
                                             L(REL_FORMER_PARTNER),
                                             L(REL_FAMILY),
                                             L(REL_CAREGIVER),
                                             L(REL_EMPLOYER),
                                             L(REL_RECRUITER),
                                             L(REL_CO_WORKER),
                                             L(REL_TEACHER),
                                             L(REL_SERVICE_PROVIDER),
                                             L(REL_NEIGHBOUR),
                                             L(REL_FRIEND),
                                             L(REL_STRANGER),
                                             L(REL_OTHER),
                                             L(REL_UNKNOWN)};
static const enum msg result_msgs[] = {L(RESULT_PRESUMED_TRAFFICKING), L(RESULT_EXPLOITATION_ONLY),
                                       L(RESULT_INSUFFICIENT)};
static const enum msg dimension_msgs[] = {L(DIM_A), L(DIM_B), L(DIM_C),
                                          L(DIM_D), L(DIM_E), L(DIM_F)};
static const enum msg strength_msgs[] = {L(STRENGTH_S), L(STRENGTH_M), L(STRENGTH_W)};
static const enum msg sector_msgs[] = {
    L(SECTOR_AGRICULTURE),   L(SECTOR_CONSTRUCTION),  L(SECTOR_MANUFACTURING),
    L(SECTOR_FISHING),       L(SECTOR_DOMESTIC_WORK), L(SECTOR_HOSPITALITY),
    L(SECTOR_ENTERTAINMENT), L(SECTOR_SERVICES),      L(SECTOR_OTHER)};
static const enum msg service_type_msgs[] = {
    L(SERVICE_TYPE_PSYCHOSOCIAL), L(SERVICE_TYPE_LEGAL),        L(SERVICE_TYPE_SHELTER),
    L(SERVICE_TYPE_HEALTH),       L(SERVICE_TYPE_POLICE),       L(SERVICE_TYPE_LIVELIHOOD),
    L(SERVICE_TYPE_EDUCATION),    L(SERVICE_TYPE_REPATRIATION), L(SERVICE_TYPE_CHILD_PROTECTION),
    L(SERVICE_TYPE_FINANCIAL),    L(SERVICE_TYPE_OTHER)};
static const enum msg referral_status_msgs[] = {L(RST_SENT), L(RST_ACCEPTED), L(RST_DECLINED),
                                                L(RST_COMPLETED), L(RST_WITHDRAWN)};
static const enum msg urgency_msgs[] = {L(URGENCY_ROUTINE), L(URGENCY_URGENT)};
static const enum msg purpose_msgs[] = {L(PURPOSE_SERVICES), L(PURPOSE_REPORTING),
                                        L(PURPOSE_SHARE_WITH)};
static const enum msg method_msgs[] = {L(METHOD_VERBAL), L(METHOD_WRITTEN), L(METHOD_THUMBPRINT)};
static const enum msg consent_by_msgs[] = {L(BY_SURVIVOR), L(BY_GUARDIAN)};
static const enum msg language_msgs[] = {L(LANGUAGE_KM), L(LANGUAGE_EN), L(LANGUAGE_TH),
                                         L(LANGUAGE_VI), L(LANGUAGE_ZH), L(LANGUAGE_KO),
                                         L(LANGUAGE_JA), L(LANGUAGE_LO), L(LANGUAGE_FR)};
static const enum msg topic_msgs[] = {
    L(TOPIC_SAFE_MIGRATION),     L(TOPIC_LABOUR_RIGHTS),       L(TOPIC_GENDER_EQUALITY),
    L(TOPIC_FINANCIAL_LITERACY), L(TOPIC_TRAFFICKING_ID),      L(TOPIC_VAW_ID),
    L(TOPIC_CASE_REPORTING),     L(TOPIC_COUNSELLING),         L(TOPIC_ADVOCACY),
    L(TOPIC_LEADERSHIP),         L(TOPIC_VICTIM_ID_PROCEDURES)};
static const enum msg network_role_msgs[] = {L(NETWORK_ROLE_MEMBER), L(NETWORK_ROLE_REPRESENTATIVE),
                                             L(NETWORK_ROLE_TRAINER)};
static const enum msg role_msgs[] = {L(ROLE_MEMBER_LABEL),     L(ROLE_REPRESENTATIVE_LABEL),
                                     L(ROLE_CASEWORKER_LABEL), L(ROLE_SUPERVISOR_LABEL),
                                     L(ROLE_PROVIDER_LABEL),   L(ROLE_ANALYST_LABEL),
                                     L(ROLE_ADMIN_LABEL)};
static const enum msg audience_msgs[] = {L(AUDIENCE_MEMBERS), L(AUDIENCE_REPRESENTATIVES),
                                         L(AUDIENCE_LOCAL_AUTHORITIES), L(AUDIENCE_POLICE),
                                         L(AUDIENCE_COMMUNITY)};
static const enum msg document_msgs[] = {L(DOC_PASSPORT),      L(DOC_VISA),
                                         L(DOC_WORK_PERMIT),   L(DOC_CONTRACT),
                                         L(DOC_PRE_DEPARTURE), L(DOC_OVERSEAS_WORKER_CARD),
                                         L(DOC_PINK_CARD),     L(DOC_CERTIFICATE_OF_IDENTITY)};
static const enum msg migration_risk_msgs[] = {L(MRISK_UNLICENSED_AGENCY),
                                               L(MRISK_NO_WRITTEN_CONTRACT),
                                               L(MRISK_DEBT_FOR_FEES),
                                               L(MRISK_DOCUMENTS_HELD_BY_BROKER),
                                               L(MRISK_IRREGULAR_BORDER_CROSSING),
                                               L(MRISK_UNKNOWN_EMPLOYER),
                                               L(MRISK_MINOR),
                                               L(MRISK_NO_CONTACT_PLAN)};
static const enum msg channel_msgs[] = {
    L(CHANNEL_GOVERNMENT_MOU),  L(CHANNEL_EPS_KOREA),   L(CHANNEL_TITP_JAPAN), L(CHANNEL_SSW_JAPAN),
    L(CHANNEL_LICENSED_AGENCY), L(CHANNEL_BORDER_PASS), L(CHANNEL_IRREGULAR),  L(CHANNEL_UNKNOWN)};
#undef L

#define N(a) ((int)(sizeof a / sizeof a[0]))
static const struct {
    const enum msg *msgs;
    int n;
} label_tables[LIST__MAX] = {
    [LIST_CONCERN] = {concern_msgs, CONCERN__MAX},
    [LIST_STATUS] = {status_msgs, STATUS__MAX},
    [LIST_RISK] = {risk_msgs, RISK__MAX},
    [LIST_SEX] = {sex_msgs, SEX__MAX},
    [LIST_CLOSURE_REASON] = {closure_msgs, N(closure_msgs)},
    [LIST_MARITAL_STATUS] = {marital_msgs, N(marital_msgs)},
    [LIST_GBV_TYPE] = {gbv_msgs, N(gbv_msgs)},
    [LIST_CONTEXT_FLAG] = {flag_msgs, N(flag_msgs)},
    [LIST_TIME_OF_DAY] = {tod_msgs, N(tod_msgs)},
    [LIST_LOCATION_TYPE] = {loctype_msgs, N(loctype_msgs)},
    [LIST_MIGRATION_STAGE] = {stage_msgs, N(stage_msgs)},
    [LIST_ABDUCTION] = {abduction_msgs, N(abduction_msgs)},
    [LIST_REPORTED_ELSEWHERE] = {elsewhere_msgs, N(elsewhere_msgs)},
    [LIST_AGE_GROUP] = {age_group_msgs, N(age_group_msgs)},
    [LIST_RELATIONSHIP] = {relationship_msgs, N(relationship_msgs)},
    [LIST_SCREENING_RESULT] = {result_msgs, N(result_msgs)},
    [LIST_DIMENSION] = {dimension_msgs, N(dimension_msgs)},
    [LIST_STRENGTH] = {strength_msgs, N(strength_msgs)},
    [LIST_SECTOR] = {sector_msgs, N(sector_msgs)},
    [LIST_CHANNEL] = {channel_msgs, N(channel_msgs)},
    [LIST_SERVICE_TYPE] = {service_type_msgs, N(service_type_msgs)},
    [LIST_REFERRAL_STATUS] = {referral_status_msgs, N(referral_status_msgs)},
    [LIST_URGENCY] = {urgency_msgs, N(urgency_msgs)},
    [LIST_CONSENT_PURPOSE] = {purpose_msgs, N(purpose_msgs)},
    [LIST_CONSENT_METHOD] = {method_msgs, N(method_msgs)},
    [LIST_CONSENT_BY] = {consent_by_msgs, N(consent_by_msgs)},
    [LIST_LANGUAGE] = {language_msgs, N(language_msgs)},
    [LIST_TOPIC] = {topic_msgs, N(topic_msgs)},
    [LIST_AUDIENCE] = {audience_msgs, N(audience_msgs)},
    [LIST_ROLE] = {role_msgs, N(role_msgs)},
    [LIST_NETWORK_ROLE] = {network_role_msgs, N(network_role_msgs)},
    [LIST_DOCUMENT] = {document_msgs, N(document_msgs)},
    [LIST_MIGRATION_RISK] = {migration_risk_msgs, N(migration_risk_msgs)},
};
#undef N

const struct country countries[] = {
    {"KH", MSG_COUNTRY_KH}, {"TH", MSG_COUNTRY_TH}, {"MY", MSG_COUNTRY_MY}, {"KR", MSG_COUNTRY_KR},
    {"JP", MSG_COUNTRY_JP}, {"CN", MSG_COUNTRY_CN}, {"VN", MSG_COUNTRY_VN}, {"LA", MSG_COUNTRY_LA},
    {"SG", MSG_COUNTRY_SG}, {"TW", MSG_COUNTRY_TW}, {"SA", MSG_COUNTRY_SA},
};
const size_t ncountries = sizeof countries / sizeof countries[0];

const char *tr(const struct req *r, enum msg m)
{
    return i18n_text(r->lang, m);
}

struct ctx page_ctx(const struct req *r)
{
    struct ctx cx = {.db = r->db, .actor = r->actor, .lang = r->lang};
    if (r->app != NULL) {
        cx.key = r->app->key;
        cx.places = r->app->places;
        cx.screening = r->app->screening;
        cx.audit_heads = r->app->headbase;
        cx.reference = r->app->reference;
    }
    return cx;
}

const char *code_label_in(enum lang lang, enum code_list list, const char *code)
{
    int i = code_parse(list, code);
    if (i < 0 || (int)list < 0 || list >= LIST__MAX || label_tables[list].msgs == NULL ||
        i >= label_tables[list].n)
        return code != NULL ? code : "";
    return i18n_text(lang, label_tables[list].msgs[i]);
}

const char *code_label(const struct req *r, enum code_list list, const char *code)
{
    return code_label_in(r->lang, list, code);
}

const char *page_home(const struct actor *a)
{
    struct ctx cx = {.actor = a};
    if (a != NULL && !may(&cx, ACT_CASE_READ) && may(&cx, ACT_REFERRAL_READ))
        return "/referrals";
    if (a != NULL && !may(&cx, ACT_CASE_READ) && may(&cx, ACT_REPORT_READ))
        return "/reports";
    return "/cases";
}

/* A count in the top bar: a badge with its meaning as its title. */
static void nav_badge(struct req *r, struct buf *b, const char *id, int count, enum msg meaning)
{
    if (count <= 0)
        return;
    char n[16], *label;
    snprintf(n, sizeof n, "%d", count);
    label = text_sub(tr(r, meaning), n);
    h_raw(b, " ");
    h_open(b, "span", "class", "badge", "id", id, "title", label, "aria-label", label, H_END);
    h_text(b, n);
    h_raw(b, "</span>");
    free(label);
}

char *text_sub(const char *tmpl, const char *arg)
{
    struct buf b = {0};
    const char *s = tmpl, *p;
    while ((p = strstr(s, "%s")) != NULL) {
        buf_put(&b, s, (size_t)(p - s));
        buf_puts(&b, arg != NULL ? arg : "");
        s = p + 2;
    }
    buf_puts(&b, s);
    return buf_steal(&b);
}

void h_date(struct buf *b, const char *ts)
{
    if (ts != NULL)
        html_escape(b, ts, strnlen(ts, 10));
}

bool code_labelled(enum code_list list)
{
    return (int)list >= 0 && list < LIST__MAX && label_tables[list].msgs != NULL &&
           label_tables[list].n == code_count(list);
}

void h_hidden(struct buf *b, const char *name, const char *value)
{
    if (value == NULL)
        return;
    h_open_begin(b, "input");
    h_attr(b, "type", "hidden");
    h_attr(b, "name", name);
    h_attr(b, "value", value);
    h_open_end(b);
}

void h_datetime(struct buf *b, const char *ts)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (ts == NULL || sscanf(ts, "%4d-%2d-%2dT%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                             &tm.tm_hour, &tm.tm_min) != 5) {
        h_text(b, ts);
        return;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm) + 7 * 3600; /* Cambodia: UTC+7, no daylight saving */
    struct tm local;
    char text[32];
    gmtime_r(&t, &local);
    strftime(text, sizeof text, "%Y-%m-%d %H:%M", &local);
    h_open(b, "time", "datetime", ts, H_END);
    h_text(b, text);
    h_close(b, "time");
}

const char *place_label(const struct req *r, const struct place *p)
{
    const char *km = p->name_km, *latn = p->name_latn;
    if (r->lang == LANG_KM)
        return (km != NULL && *km != '\0') ? km : latn;
    return (latn != NULL && *latn != '\0') ? latn : km;
}

void h_place(struct req *r, struct buf *b, const char *code)
{
    static const enum msg level_msgs[PLACE__MAX] = {
        [PLACE_PROVINCE] = MSG_PROVINCE,
        [PLACE_DISTRICT] = MSG_DISTRICT,
        [PLACE_COMMUNE] = MSG_COMMUNE,
        [PLACE_VILLAGE] = MSG_VILLAGE,
    };
    const struct places *all = r->app != NULL ? r->app->places : NULL;
    const struct place *p = (all != NULL && code != NULL) ? places_get(all, code) : NULL;
    if (p == NULL) {
        h_text(b, code);
        return;
    }
    h_raw(b, "<span class=\"place\">");
    for (int depth = 0; p != NULL && depth < PLACE__MAX; depth++) {
        char cls[24];
        snprintf(cls, sizeof cls, "pl-%s", place_level_code(p->level));
        h_open(b, "span", "class", cls, H_END);
        h_raw(b, "<small>");
        h_text(b, tr(r, level_msgs[p->level]));
        h_raw(b, "</small> ");
        h_text(b, place_label(r, p));
        h_raw(b, "</span>");
        p = p->parent[0] != '\0' ? places_get(all, p->parent) : NULL;
    }
    h_raw(b, "</span>");
}

const char *page_id(const struct req *r)
{
    const char *id = r->nparams > 0 ? r->params[0] : NULL;
    if (id == NULL || *id == '\0' || strlen(id) >= ID_SIZE)
        return NULL;
    return id;
}

void page_notice(struct buf *b, const char *id, const char *text)
{
    h_para(b, "notice", id, "status", text);
}

char *asset_url(const char *name)
{
    char path[64];
    unsigned long h = 2166136261UL; /* FNV-1a of the content */
    int n = snprintf(path, sizeof path, "assets/%s", name);
    const struct embedded_file *f = (n > 0 && (size_t)n < sizeof path) ? embed_find(path) : NULL;
    if (f != NULL) {
        for (size_t i = 0; i < f->len; i++)
            h = ((h ^ f->data[i]) * 16777619UL) & 0xffffffffUL;
    }
    return xasprintf("/assets/%s?v=%08lx", name, h);
}

void page_csrf(struct req *r, struct resp *w)
{
    struct buf *b = &w->body;
    h_raw(b, "<input type=\"hidden\" name=\"csrf\"");
    h_attr(b, "value", http_form_token(r, w));
    h_raw(b, ">");
}

void page_idempotency_key(struct req *r, struct resp *w)
{
    char fresh[ID_SIZE];
    const char *sent = r->method == M_POST ? req_form(r, "idempotency_key") : NULL;
    if (!idem_key_valid(sent)) {
        crypto_random_id(fresh);
        sent = fresh;
    }
    h_raw(&w->body, "<input type=\"hidden\" name=\"idempotency_key\"");
    h_attr(&w->body, "value", sent);
    h_raw(&w->body, ">");
}

void h_label(struct req *r, struct buf *b, const char *for_id, enum msg text, bool optional)
{
    h_open(b, "label", "for", for_id, H_END);
    h_text(b, tr(r, text));
    if (optional) {
        h_raw(b, " <small>(");
        h_text(b, tr(r, MSG_OPTIONAL));
        h_raw(b, ")</small>");
    }
    h_raw(b, "</label>");
}

bool same_text(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

enum err page_case_for(struct req *r, const char *id, enum action a, struct case_view *v)
{
    struct ctx cx = page_ctx(r);
    memset(v, 0, sizeof *v);
    if (id == NULL)
        return ERR_NOT_FOUND;
    enum err e = case_get(&cx, id, v);
    if (e == ERR_OK && (!v->detail || !may(&cx, a)))
        e = ERR_FORBIDDEN;
    return e;
}

int form_error(const struct field_msgs *t, const struct fielderrs *fe, const char *form)
{
    for (int i = 0; fe != NULL && i < fe->n && i < FIELDERRS_MAX; i++)
        for (size_t k = 0; k < t->n; k++)
            if (strcmp(fe->e[i].field, t->rows[k].field) == 0 && strcmp(form, t->rows[k].form) == 0)
                return (int)t->rows[k].msg;
    return -1;
}

void h_field_error(struct req *r, struct buf *b, const struct field_msgs *t,
                   const struct fielderrs *fe, const char *form)
{
    int m = form_error(t, fe, form);
    if (m < 0)
        return;
    char id[48];
    snprintf(id, sizeof id, "err-%s", form);
    h_para(b, "field-error", id, NULL, tr(r, (enum msg)m));
}

void h_error_summary(struct req *r, struct buf *b, const struct field_msgs *t,
                     const struct fielderrs *fe)
{
    h_raw(b, "<div class=\"error\" id=\"form-errors\" role=\"alert\"><p>");
    h_text(b, tr(r, MSG_FORM_ERRORS));
    h_raw(b, "</p><ul>");
    for (int i = 0; i < fe->n && i < FIELDERRS_MAX; i++) {
        const struct field_msg *row = NULL;
        for (size_t k = 0; k < t->n && row == NULL; k++)
            if (strcmp(fe->e[i].field, t->rows[k].field) == 0)
                row = &t->rows[k];
        h_raw(b, "<li>");
        if (row != NULL) {
            char href[56];
            snprintf(href, sizeof href, "#err-%s", row->form);
            h_open(b, "a", "href", href, H_END);
            h_text(b, tr(r, row->msg));
            h_raw(b, "</a>");
        } else {
            h_text(b, tr(r, MSG_ERR_FIELD));
        }
        h_raw(b, "</li>");
    }
    h_raw(b, "</ul></div>");
}

/* Links to the other languages, keeping the page. */
static void lang_links(struct req *r, struct resp *w, const char *self)
{
    struct buf *b = &w->body;
    h_raw(b, "<nav class=\"lang\"");
    h_attr(b, "aria-label", tr(r, MSG_LANG_SWITCH));
    h_raw(b, ">");
    for (int l = 0; l < LANG__MAX; l++) {
        if ((enum lang)l == r->lang)
            continue;
        char *href =
            xasprintf("%s%slang=%s", self, strchr(self, '?') ? "&" : "?", lang_code((enum lang)l));
        char id[16];
        snprintf(id, sizeof id, "lang-%s", lang_code((enum lang)l));
        h_open(b, "a", "href", href, "id", id, "hreflang", lang_code((enum lang)l), "lang",
               lang_code((enum lang)l), H_END);
        h_text(b, i18n_text((enum lang)l, MSG_LANG_ENDONYM));
        h_close(b, "a");
        free(href);
    }
    h_raw(b, "</nav>");
}

/* The quick exit, first on every page: a plain link to /exit (web/exit.c),
 * which ends the session and clears what the site stored; cbpn.js turns the
 * tap into location.replace(), so the page leaves the tab's history too. */
static void h_quick_exit(struct req *r, struct buf *b)
{
    h_raw(b, "<a href=\"/exit\" id=\"quick-exit\" class=\"quick-exit\" rel=\"noreferrer\">");
    h_text(b, tr(r, MSG_QUICK_EXIT));
    h_raw(b, "</a>");
}

/* page_begin and page_begin_static. Both load cbpn.js, for the quick exit. */
static void page_head(struct req *r, struct resp *w, const char *title, const char *self)
{
    struct buf *b = &w->body;
    char *css = asset_url("cbpn.css");
    char *js = asset_url("cbpn.js");

    if (w->status == 0)
        w->status = 200;
    w->content_type = HTML_TYPE;
    h_raw(b, "<!doctype html>\n<html");
    h_attr(b, "lang", lang_code(r->lang));
    h_raw(b, "><head><meta charset=\"utf-8\">"
             "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
             "<meta name=\"referrer\" content=\"no-referrer\"><title>");
    /* Every page has the same neutral title: the browser's history and its
     * restored tabs keep titles, and a shared phone must not show whose
     * case was open (issue 9). title names the page for the caller only. */
    (void)title;
    h_raw(b, PAGE_TITLE);
    h_raw(b, "</title><link rel=\"stylesheet\"");
    h_attr(b, "href", css);
    h_raw(b, ">");
    h_raw(b, "<script defer");
    h_attr(b, "src", js);
    h_raw(b, "></script></head>\n<body><header class=\"top\">");
    h_quick_exit(r, b);
    h_raw(b, "<a class=\"brand\" href=\"/\">");
    h_text(b, tr(r, MSG_APP_NAME));
    h_raw(b, "</a>");
    lang_links(r, w, self != NULL ? self : "/");
    if (r->actor != NULL) {
        struct ctx cx = page_ctx(r);
        h_raw(b, "<nav class=\"main\">");
        if (may(&cx, ACT_CASE_READ)) {
            h_raw(b, "<a href=\"/cases\" id=\"nav-cases\">");
            h_text(b, tr(r, MSG_NAV_CASES));
            h_raw(b, "</a>");
        }
        if (may(&cx, ACT_CASE_QUEUE)) {
            /* The supervisor's count of unassigned urgent cases, on every page. */
            int urgent = r->db != NULL ? case_urgent_unassigned(&cx) : 0;
            h_raw(b, "<a href=\"/queue\" id=\"nav-queue\">");
            h_text(b, tr(r, MSG_NAV_QUEUE));
            nav_badge(r, b, "urgent-unassigned", urgent, MSG_QUEUE_URGENT_COUNT);
            h_raw(b, "</a>");
        }
        if (may(&cx, ACT_REFERRAL_READ)) {
            /* A provider's new referrals; the case team's overdue ones. */
            bool inbox = may(&cx, ACT_REFERRAL_INBOX);
            int count = r->db == NULL ? 0
                        : inbox       ? referral_inbox_count(&cx)
                                      : referral_overdue_count(&cx);
            h_raw(b, "<a href=\"/referrals\" id=\"nav-referrals\">");
            h_text(b, tr(r, MSG_NAV_REFERRALS));
            if (inbox)
                nav_badge(r, b, "referrals-new", count, MSG_REFERRALS_NEW_COUNT);
            else
                nav_badge(r, b, "referrals-overdue", count, MSG_REFERRALS_OVERDUE_COUNT);
            h_raw(b, "</a>");
        }
        if (may(&cx, ACT_OUTREACH_READ)) {
            h_raw(b, "<a href=\"/outreach\" id=\"nav-outreach\">");
            h_text(b, tr(r, MSG_NAV_OUTREACH));
            h_raw(b, "</a>");
        }
        if (may(&cx, ACT_USER_LIST)) {
            h_raw(b, "<a href=\"/users\" id=\"nav-users\">");
            h_text(b, tr(r, MSG_NAV_USERS));
            h_raw(b, "</a>");
        }
        if (may(&cx, ACT_TRAINING_READ)) {
            h_raw(b, "<a href=\"/trainings\" id=\"nav-trainings\">");
            h_text(b, tr(r, MSG_NAV_TRAININGS));
            h_raw(b, "</a>");
        }
        if (may(&cx, ACT_ADVICE_READ)) {
            h_raw(b, "<a href=\"/advice\" id=\"nav-advice\">");
            h_text(b, tr(r, MSG_NAV_ADVICE));
            h_raw(b, "</a>");
        }
        if (may(&cx, ACT_SLIP_VERIFY)) {
            h_raw(b, "<a href=\"/referrals/verify\" id=\"nav-verify\">");
            h_text(b, tr(r, MSG_NAV_VERIFY));
            h_raw(b, "</a>");
        }
        if (may(&cx, ACT_AGENCY_READ)) {
            h_raw(b, "<a href=\"/agencies\" id=\"nav-agencies\">");
            h_text(b, tr(r, MSG_NAV_AGENCIES));
            h_raw(b, "</a>");
        }
        if (may(&cx, ACT_CASE_CREATE)) {
            h_raw(b, "<a href=\"/cases/new\" id=\"nav-report\">");
            h_text(b, tr(r, MSG_NAV_REPORT));
            h_raw(b, "</a>");
        }
        /* The network's groups: her own group for a member or a
         * representative (the table's group scope), else the groups. */
        if (may(&cx, ACT_GROUP_READ)) {
            bool own = scope_of(&cx, ACT_GROUP_READ) == SCOPE_GROUP;
            h_raw(b, "<a href=\"/groups\" id=\"nav-groups\">");
            h_text(b, tr(r, own ? MSG_NAV_MY_GROUP : MSG_NAV_GROUPS));
            h_raw(b, "</a>");
        }
        /* The dashboard of the network's results. */
        if (may(&cx, ACT_REPORT_READ)) {
            h_raw(b, "<a href=\"/reports\" id=\"nav-reports\">");
            h_text(b, tr(r, MSG_NAV_REPORTS));
            h_raw(b, "</a>");
        }
        /* The audit log's signed head and its verification. */
        if (may(&cx, ACT_AUDIT_VERIFY)) {
            h_raw(b, "<a href=\"/audit\" id=\"nav-audit\">");
            h_text(b, tr(r, MSG_NAV_AUDIT));
            h_raw(b, "</a>");
        }
        /* The safe-migration reference, for whoever may read it (every
         * role: members and representatives show it in the villages). */
        if (may(&cx, ACT_REFERENCE_READ)) {
            h_raw(b, "<a href=\"/safe-migration\" id=\"nav-reference\">");
            h_text(b, tr(r, MSG_NAV_REFERENCE));
            h_raw(b, "</a>");
        }
        h_raw(b, "</nav><form method=\"post\" autocomplete=\"off\" action=\"/logout\" "
                 "id=\"logout-form\">");
        page_csrf(r, w);
        h_raw(b, "<a class=\"who\" href=\"/account\" id=\"nav-account\">");
        h_text_sub(b, tr(r, MSG_SIGNED_IN_AS), r->actor->user.username);
        h_raw(b, "</a> <button type=\"submit\" id=\"sign-out\">");
        h_text(b, tr(r, MSG_SIGN_OUT));
        h_raw(b, "</button></form>");
    }
    h_raw(b, "</header>\n<main id=\"main\">");
    free(css);
    free(js);
}

void page_begin(struct req *r, struct resp *w, const char *title, const char *self)
{
    page_head(r, w, title, self);
}

void page_begin_static(struct req *r, struct resp *w, const char *title, const char *self)
{
    page_head(r, w, title, self);
}

void page_end(struct req *r, struct resp *w)
{
    (void)r;
    h_raw(&w->body, "</main></body></html>\n");
}

void web_error_page(struct req *r, struct resp *w, enum err e)
{
    enum msg title, text;
    switch (e) {
    case ERR_NOT_FOUND:
        title = MSG_NOT_FOUND_TITLE;
        text = MSG_NOT_FOUND_TEXT;
        break;
    case ERR_FORBIDDEN:
    case ERR_UNAUTHENTICATED:
        title = MSG_FORBIDDEN_TITLE;
        text = MSG_FORBIDDEN_TEXT;
        break;
    case ERR_RATE_LIMITED:
        title = MSG_RATE_LIMITED_TITLE;
        text = MSG_RATE_LIMITED_TEXT;
        break;
    case ERR_BAD_REQUEST:
    case ERR_METHOD:
    case ERR_TOO_LARGE:
    case ERR_MEDIA_TYPE:
    case ERR_VALIDATION:
    case ERR_CONFLICT:
    case ERR_CONSENT:
        title = MSG_BAD_REQUEST_TITLE;
        text = MSG_BAD_REQUEST_TEXT;
        break;
    default:
        title = MSG_ERROR_TITLE;
        text = MSG_ERROR_TEXT;
        break;
    }
    buf_reset(&w->body);
    w->cacheable = false;
    w->status = err_status(e);
    /* The request is never echoed: the language links lead to the home page. */
    page_begin(r, w, tr(r, title), "/");
    h_raw(&w->body, "<h1>");
    h_text(&w->body, tr(r, title));
    h_raw(&w->body, "</h1><p class=\"notice\" id=\"error-text\">");
    h_text(&w->body, tr(r, text));
    h_raw(&w->body, "</p><p><a href=\"/\">");
    h_text(&w->body, tr(r, MSG_HOME));
    h_raw(&w->body, "</a></p>");
    page_end(r, w);
}

void page_fail(struct req *r, struct resp *w, enum err e)
{
    web_error_page(r, w, e);
}

void h_invalid_if(struct buf *b, const struct field_msgs *t, const struct fielderrs *fe,
                  const char *form)
{
    if (form_error(t, fe, form) >= 0)
        h_attr(b, "aria-invalid", "true");
}

const struct group_rec *group_find(const struct group_rec *g, size_t n, const char *id)
{
    for (size_t i = 0; id != NULL && i < n; i++)
        if (strcmp(g[i].id, id) == 0)
            return &g[i];
    return NULL;
}
