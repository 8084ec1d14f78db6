#include "util/codes.h"

#include <stddef.h>
#include <string.h>

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *const concerns[CONCERN__MAX] = {
    [CONCERN_TRAFFICKING] = "trafficking",
    [CONCERN_FORCED_LABOUR] = "forced_labour",
    [CONCERN_LABOUR_EXPLOITATION] = "labour_exploitation",
    [CONCERN_UNSAFE_MIGRATION] = "unsafe_migration",
    [CONCERN_DOMESTIC_VIOLENCE] = "domestic_violence",
    [CONCERN_SEXUAL_VIOLENCE] = "sexual_violence",
    [CONCERN_OTHER_VIOLENCE] = "other_violence",
    [CONCERN_CHILD_AT_RISK] = "child_at_risk",
    [CONCERN_OTHER] = "other",
};

static const char *const statuses[STATUS__MAX] = {
    [STATUS_REPORTED] = "reported",
    [STATUS_OPEN] = "open",
    [STATUS_CLOSURE_REQUESTED] = "closure_requested",
    [STATUS_CLOSED] = "closed",
};

static const char *const risks[RISK__MAX] = {
    [RISK_LOW] = "low",
    [RISK_MEDIUM] = "medium",
    [RISK_HIGH] = "high",
};

static const char *const sexes[SEX__MAX] = {
    [SEX_FEMALE] = "female",
    [SEX_MALE] = "male",
    [SEX_OTHER] = "other",
    [SEX_UNKNOWN] = "unknown",
};

/* In the order of enum role (auth/perm.h). */
static const char *const roles[] = {"member",   "representative", "caseworker", "supervisor",
                                    "provider", "analyst",        "admin"};
static const char *const org_kinds[] = {"ngo", "provider"};
static const char *const network_roles[] = {"member", "representative", "trainer"};
static const char *const topics[] = {"safe_migration",
                                     "labour_rights",
                                     "gender_equality",
                                     "financial_literacy",
                                     "trafficking_identification",
                                     "vaw_identification",
                                     "case_reporting_documentation",
                                     "counselling",
                                     "advocacy",
                                     "leadership",
                                     "victim_identification_procedures"};
static const char *const audiences[] = {"members", "representatives", "local_authorities", "police",
                                        "community"};
static const char *const sectors[] = {"agriculture",   "construction",  "manufacturing",
                                      "fishing",       "domestic_work", "hospitality",
                                      "entertainment", "services",      "other"};
static const char *const channels[] = {"government_mou",  "eps_korea",   "titp_japan", "ssw_japan",
                                       "licensed_agency", "border_pass", "irregular",  "unknown"};
static const char *const documents[] = {"passport",
                                        "visa",
                                        "work_permit",
                                        "contract",
                                        "pre_departure_orientation",
                                        "overseas_worker_card",
                                        "pink_card",
                                        "certificate_of_identity"};
static const char *const migration_risks[] = {
    "unlicensed_agency",         "no_written_contract", "debt_for_fees", "documents_held_by_broker",
    "irregular_border_crossing", "unknown_employer",    "minor",         "no_contact_plan"};

static const char *const gbv_types[GBV__MAX] = {
    [GBV_RAPE] = "rape",
    [GBV_SEXUAL_ASSAULT] = "sexual_assault",
    [GBV_PHYSICAL_ASSAULT] = "physical_assault",
    [GBV_FORCED_MARRIAGE] = "forced_marriage",
    [GBV_DENIAL_OF_RESOURCES] = "denial_of_resources",
    [GBV_PSYCHOLOGICAL_ABUSE] = "psychological_abuse",
    [GBV_NON_GBV] = "non_gbv",
};

static const char *const context_flags[FLAG__MAX] = {
    [FLAG_INTIMATE_PARTNER_VIOLENCE] = "intimate_partner_violence",
    [FLAG_CHILD_SEXUAL_ABUSE] = "child_sexual_abuse",
    [FLAG_EARLY_MARRIAGE] = "early_marriage",
    [FLAG_POSSIBLE_SEXUAL_EXPLOITATION] = "possible_sexual_exploitation",
    [FLAG_POSSIBLE_SEXUAL_SLAVERY] = "possible_sexual_slavery",
};

static const char *const times_of_day[] = {"morning", "afternoon", "evening_night", "unknown"};
static const char *const location_types[] = {
    "home_survivor",      "home_perpetrator", "workplace", "employer_housing", "road",
    "border_crossing",    "vehicle",          "market",    "guest_house",      "school",
    "farm_or_plantation", "fishing_boat",     "other"};
static const char *const migration_stages[] = {"pre_departure", "transit", "destination", "return",
                                               "not_migration_related"};
static const char *const abductions[] = {"none", "trafficked", "forced_conscription",
                                         "other_abduction"};
static const char *const reported_elsewhere[] = {"no", "gbvims_org", "non_gbvims_org"};
static const char *const age_groups[] = {"0_11",  "12_17",   "18_25",  "26_40",
                                         "41_60", "61_plus", "unknown"};
static const char *const relationships[] = {"intimate_partner",
                                            "former_partner",
                                            "family",
                                            "caregiver",
                                            "employer_or_supervisor",
                                            "recruiter_or_broker",
                                            "co_worker",
                                            "teacher",
                                            "service_provider",
                                            "neighbour",
                                            "friend",
                                            "stranger",
                                            "other",
                                            "unknown"};
/* The GBVIMS intake form's marital status. */
static const char *const marital_statuses[] = {"single", "married_or_cohabiting",
                                               "divorced_or_separated", "widowed", "unknown"};

static const char *const screening_results[RESULT__MAX] = {
    [RESULT_PRESUMED_TRAFFICKING] = "presumed_trafficking",
    [RESULT_EXPLOITATION_WITHOUT_TRAFFICKING_INDICATORS] =
        "exploitation_without_trafficking_indicators",
    [RESULT_INSUFFICIENT_INDICATORS] = "insufficient_indicators",
};
static const char *const dimensions[] = {"A", "B", "C", "D", "E", "F"};
static const char *const strengths[] = {"S", "M", "W"};

static const char *const closure_reasons[] = {
    "services_completed", "survivor_request",      "referred_elsewhere", "moved_away",
    "lost_contact",       "no_protection_concern", "deceased",           "other"};
static const char *const service_types[] = {
    "psychosocial", "legal",        "shelter",          "health",    "police", "livelihood",
    "education",    "repatriation", "child_protection", "financial", "other"};
static const char *const referral_statuses[] = {"sent", "accepted", "declined", "completed",
                                                "withdrawn"};
static const char *const urgencies[] = {"routine", "urgent"};
static const char *const consent_purposes[] = {"services", "reporting", "share_with"};
static const char *const consent_methods[] = {"verbal", "written", "thumbprint"};
static const char *const consent_by[] = {"survivor", "guardian"};
static const char *const locales[] = {"km", "en"};
static const char *const languages[] = {"km", "en", "th", "vi", "zh", "ko", "ja", "lo", "fr"};

#define L(id, name, arr) [id] = {name, arr, NELEM(arr)}

static const struct {
    const char *name;
    const char *const *codes;
    int n;
} lists[LIST__MAX] = {
    L(LIST_CONCERN, "concern", concerns),
    L(LIST_STATUS, "case_status", statuses),
    L(LIST_RISK, "risk", risks),
    L(LIST_SEX, "sex", sexes),
    L(LIST_ROLE, "role", roles),
    L(LIST_ORG_KIND, "org_kind", org_kinds),
    L(LIST_NETWORK_ROLE, "network_role", network_roles),
    L(LIST_TOPIC, "topic", topics),
    L(LIST_AUDIENCE, "audience", audiences),
    L(LIST_SECTOR, "sector", sectors),
    L(LIST_CHANNEL, "channel", channels),
    L(LIST_DOCUMENT, "document", documents),
    L(LIST_MIGRATION_RISK, "migration_risk", migration_risks),
    L(LIST_GBV_TYPE, "gbv_type", gbv_types),
    L(LIST_CONTEXT_FLAG, "context_flag", context_flags),
    L(LIST_TIME_OF_DAY, "time_of_day", times_of_day),
    L(LIST_LOCATION_TYPE, "location_type", location_types),
    L(LIST_MIGRATION_STAGE, "migration_stage", migration_stages),
    L(LIST_ABDUCTION, "abduction", abductions),
    L(LIST_REPORTED_ELSEWHERE, "reported_elsewhere", reported_elsewhere),
    L(LIST_AGE_GROUP, "age_group", age_groups),
    L(LIST_RELATIONSHIP, "relationship", relationships),
    L(LIST_MARITAL_STATUS, "marital_status", marital_statuses),
    L(LIST_SCREENING_RESULT, "screening_result", screening_results),
    L(LIST_DIMENSION, "dimension", dimensions),
    L(LIST_STRENGTH, "strength", strengths),
    L(LIST_CLOSURE_REASON, "closure_reason", closure_reasons),
    L(LIST_SERVICE_TYPE, "service_type", service_types),
    L(LIST_REFERRAL_STATUS, "referral_status", referral_statuses),
    L(LIST_URGENCY, "urgency", urgencies),
    L(LIST_CONSENT_PURPOSE, "consent_purpose", consent_purposes),
    L(LIST_CONSENT_METHOD, "consent_method", consent_methods),
    L(LIST_CONSENT_BY, "consent_by", consent_by),
    L(LIST_LOCALE, "locale", locales),
    L(LIST_LANGUAGE, "language", languages),
};

const char *code_name(enum code_list list, int v)
{
    if ((unsigned)list >= LIST__MAX || v < 0 || v >= lists[list].n)
        return NULL;
    const char *const *codes = lists[list].codes;
    return codes != NULL ? codes[v] : NULL;
}

int code_parse(enum code_list list, const char *s)
{
    if ((int)list < 0 || list >= LIST__MAX || s == NULL)
        return -1;
    for (int i = 0; i < lists[list].n; i++)
        if (strcmp(lists[list].codes[i], s) == 0)
            return i;
    return -1;
}

int code_count(enum code_list list)
{
    return ((int)list < 0 || list >= LIST__MAX) ? 0 : lists[list].n;
}

const char *code_list_name(enum code_list list)
{
    return ((int)list < 0 || list >= LIST__MAX) ? NULL : lists[list].name;
}
