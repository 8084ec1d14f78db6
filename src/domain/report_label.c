/* The labels of the report's codes (docs/reports.md): the indicators, their
 * breakdowns' dimensions and the categories that are the report's own (the
 * age bands). The categories that are codes of a code list (concern,
 * gbv_type, ...) are labelled by that list's labels (web/page.c), districts
 * by the gazetteer and destinations by the countries' names. One table. */
#include "domain/report.h"

#include <string.h>

#include "i18n/i18n.h"

static const struct {
    const char *code;
    enum msg msg;
} labels[] = {
    {"groups_active", MSG_IND_GROUPS_ACTIVE},
    {"members", MSG_IND_MEMBERS},
    {"members_returnees", MSG_IND_MEMBERS_RETURNEES},
    {"trainings", MSG_IND_TRAININGS},
    {"training_participants", MSG_IND_TRAINING_PARTICIPANTS},
    {"members_trained_pct", MSG_IND_MEMBERS_TRAINED_PCT},
    {"knowledge_gain", MSG_IND_KNOWLEDGE_GAIN},
    {"outreach_sessions", MSG_IND_OUTREACH_SESSIONS},
    {"people_reached", MSG_IND_PEOPLE_REACHED},
    {"people_advised", MSG_IND_PEOPLE_ADVISED},
    {"regular_channel_pct", MSG_IND_REGULAR_CHANNEL_PCT},
    {"unlicensed_agency_warnings", MSG_IND_UNLICENSED_AGENCY_WARNINGS},
    {"cases_reported", MSG_IND_CASES_REPORTED},
    {"presumed_trafficking", MSG_IND_PRESUMED_TRAFFICKING},
    {"gbv_incidents", MSG_IND_GBV_INCIDENTS},
    {"referrals_made", MSG_IND_REFERRALS_MADE},
    {"referrals_accepted_pct", MSG_IND_REFERRALS_ACCEPTED_PCT},
    {"referrals_completed_pct", MSG_IND_REFERRALS_COMPLETED_PCT},
    {"median_days_to_completion", MSG_IND_MEDIAN_DAYS_TO_COMPLETION},
    {"referrals_overdue", MSG_IND_REFERRALS_OVERDUE},
    {"cases_closed", MSG_IND_CASES_CLOSED},
    {"median_days_open", MSG_IND_MEDIAN_DAYS_OPEN},
    {"cascade_trainings", MSG_IND_CASCADE_TRAININGS},
    {"cascade_participants", MSG_IND_CASCADE_PARTICIPANTS},
    /* dimensions */
    {"district", MSG_RDIM_DISTRICT},
    {"network_role", MSG_RDIM_NETWORK_ROLE},
    {"audience", MSG_RDIM_AUDIENCE},
    {"sex", MSG_RDIM_SEX},
    {"topic", MSG_RDIM_TOPIC},
    {"age", MSG_RDIM_AGE},
    {"destination", MSG_RDIM_DESTINATION},
    {"channel", MSG_RDIM_CHANNEL},
    {"concern", MSG_RDIM_CONCERN},
    {"reporter_role", MSG_RDIM_REPORTER_ROLE},
    {"gbv_type", MSG_RDIM_GBV_TYPE},
    {"service_type", MSG_RDIM_SERVICE_TYPE},
    {"reason", MSG_RDIM_REASON},
    /* the report's own categories */
    {"under_18", MSG_RAGE_UNDER_18},
    {"18_plus", MSG_RAGE_18_PLUS},
};

const char *report_label(enum lang lang, const char *code)
{
    if (code == NULL)
        return "";
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(labels[i].code, code) == 0)
            return i18n_text(lang, labels[i].msg);
    return code;
}
