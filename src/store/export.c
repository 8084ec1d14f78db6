/* The incident exports' rows (store.h: store_export_incidents). */
#include <string.h>

#include "store/store_int.h"

enum {
    X_INCIDENT_ID,
    X_CASE_ID,
    X_CODE,
    X_LOCATION_CODE,
    X_SEX,
    X_AGE,
    X_DEMOGRAPHICS,
    X_GBV_TYPE,
    X_CONCERNS,
    X_SCREENING, /* "result|forced-labour indicators" */
    X_REFERRALS,
    X_REPORTING,
    /* STMT_EXPORT_INCIDENTS_FULL only */
    X_DATE,
    X_REPORTED_ON,
    X_TIME_OF_DAY,
    X_LOCATION_TYPE,
    X_LOCATION,
    X_MIGRATION_STAGE,
    X_CONTEXT_FLAGS,
    X_PERPETRATORS,
    X_ABDUCTION,
    X_REPORTED_ELSEWHERE,
    X_ACTS,
    X_GOODS = X_ACTS + ACTS_N,
    X_INCIDENT_AGE,
};

enum err store_export_incidents(struct store_conn *c, const char *organization_id, const char *from,
                                const char *to, bool consented_only, bool full,
                                bool (*fn)(const struct export_rec *r, void *cls), void *cls)
{
    struct stmt *s = stmt_get(c, full ? STMT_EXPORT_INCIDENTS_FULL : STMT_EXPORT_INCIDENTS);
    stmt_opt_text(s, 1, organization_id);
    stmt_opt_text(s, 2, from);
    stmt_opt_text(s, 3, to);
    bool row;
    enum err e;
    while ((e = stmt_step(s, &row)) == ERR_OK && row) {
        bool reporting = stmt_col_int(s, X_REPORTING) != 0;
        if (consented_only && !reporting)
            continue;
        struct export_rec r = {
            .incident_id = stmt_col_text(s, X_INCIDENT_ID),
            .case_id = stmt_col_text(s, X_CASE_ID),
            .case_code = stmt_col_text(s, X_CODE),
            .location_code = stmt_col_text(s, X_LOCATION_CODE),
            .sex = stmt_col_text(s, X_SEX),
            .age = stmt_col_null(s, X_AGE) ? -1 : (int)stmt_col_int(s, X_AGE),
            .demographics = stmt_col_text(s, X_DEMOGRAPHICS),
            .gbv_type = stmt_col_text(s, X_GBV_TYPE),
            .concerns = stmt_col_text(s, X_CONCERNS),
            .referrals = stmt_col_text(s, X_REFERRALS),
            .reporting = reporting,
            .incident_age = -1,
        };
        if (full) {
            r.date = stmt_col_text(s, X_DATE);
            r.reported_on = stmt_col_text(s, X_REPORTED_ON);
            r.time_of_day = stmt_col_text(s, X_TIME_OF_DAY);
            r.location_type = stmt_col_text(s, X_LOCATION_TYPE);
            r.location = stmt_col_text(s, X_LOCATION);
            r.migration_stage = stmt_col_text(s, X_MIGRATION_STAGE);
            r.context_flags = stmt_col_text(s, X_CONTEXT_FLAGS);
            r.perpetrators = stmt_col_text(s, X_PERPETRATORS);
            r.abduction = stmt_col_text(s, X_ABDUCTION);
            r.reported_elsewhere = stmt_col_text(s, X_REPORTED_ELSEWHERE);
            r.goods_or_money_exchanged = stmt_col_int(s, X_GOODS) != 0;
            r.incident_age =
                stmt_col_null(s, X_INCIDENT_AGE) ? -1 : (int)stmt_col_int(s, X_INCIDENT_AGE);
            for (int i = 0; i < ACTS_N; i++)
                r.acts[i] = stmt_col_int(s, X_ACTS + i) != 0;
        }
        /* the latest screening's two columns, read in one subquery */
        char result[CODE_SIZE * 2];
        const char *sc = stmt_col_text(s, X_SCREENING);
        const char *bar = sc != NULL ? strchr(sc, '|') : NULL;
        if (bar != NULL && (size_t)(bar - sc) < sizeof result) {
            memcpy(result, sc, (size_t)(bar - sc));
            result[bar - sc] = '\0';
            r.screening_result = result;
            r.forced_labour_indicators = bar + 1;
        }
        if (!fn(&r, cls))
            break;
    }
    stmt_done(s);
    return e;
}
