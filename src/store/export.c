/* The incident exports' rows (store.h: store_export_incidents). */
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
    X_RESULT,
    X_FL,
    X_REFERRALS,
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
    X_REPORTING,
};

enum err store_export_incidents(struct store_conn *c, const char *organization_id, const char *from,
                                const char *to, bool consented_only,
                                bool (*fn)(const struct export_rec *r, void *cls), void *cls)
{
    struct stmt *s = stmt_get(c, STMT_EXPORT_INCIDENTS);
    stmt_opt_text(s, 1, organization_id);
    stmt_opt_text(s, 2, from);
    stmt_opt_text(s, 3, to);
    stmt_bool(s, 4, consented_only);
    bool row;
    enum err e;
    while ((e = stmt_step(s, &row)) == ERR_OK && row) {
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
            .screening_result = stmt_col_text(s, X_RESULT),
            .forced_labour_indicators = stmt_col_text(s, X_FL),
            .referrals = stmt_col_text(s, X_REFERRALS),
            .date = stmt_col_text(s, X_DATE),
            .reported_on = stmt_col_text(s, X_REPORTED_ON),
            .time_of_day = stmt_col_text(s, X_TIME_OF_DAY),
            .location_type = stmt_col_text(s, X_LOCATION_TYPE),
            .location = stmt_col_text(s, X_LOCATION),
            .migration_stage = stmt_col_text(s, X_MIGRATION_STAGE),
            .context_flags = stmt_col_text(s, X_CONTEXT_FLAGS),
            .perpetrators = stmt_col_text(s, X_PERPETRATORS),
            .abduction = stmt_col_text(s, X_ABDUCTION),
            .reported_elsewhere = stmt_col_text(s, X_REPORTED_ELSEWHERE),
            .goods_or_money_exchanged = stmt_col_int(s, X_GOODS) != 0,
            .reporting = stmt_col_int(s, X_REPORTING) != 0,
        };
        for (int i = 0; i < ACTS_N; i++)
            r.acts[i] = stmt_col_int(s, X_ACTS + i) != 0;
        if (!fn(&r, cls))
            break;
    }
    stmt_done(s);
    return e;
}
