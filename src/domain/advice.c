/* The warnings of a safe-migration plan (domain/advice.h). */
#include "domain/advice.h"

#include <string.h>

#include "util/clock.h"
#include "util/codes.h"

static bool is(const char *a, const char *b)
{
    return a != NULL && strcmp(a, b) == 0;
}

static bool ticked(const struct advice_facts *f, const char *code)
{
    for (int i = 0; i < f->nrisks && i < ADVICE_RISKS_MAX; i++)
        if (is(f->risks[i], code))
            return true;
    return false;
}

/* Under 18 on the day of the advice; false when the age is not known. */
static bool minor_on(const struct advice_facts *f)
{
    int y, m, d, by, bm, bd;
    if (!clock_parse_date(f->date, &y, &m, &d))
        return false;
    if (f->birth_date != NULL && clock_parse_date(f->birth_date, &by, &bm, &bd)) {
        int age = y - by - ((m < bm || (m == bm && d < bd)) ? 1 : 0);
        return age < 18;
    }
    return f->birth_year > 0 && y - f->birth_year < 18;
}

/* Whether the rule of risk code fires, ticked or not. */
static bool rule(const struct advice_facts *f, const char *code)
{
    if (is(code, "unlicensed_agency"))
        return f->has_agency ? !f->agency_licensed : is(f->channel, "licensed_agency");
    if (is(code, "irregular_border_crossing"))
        return is(f->channel, "irregular");
    if (is(code, "minor"))
        return minor_on(f);
    if (is(code, "no_written_contract"))
        return !f->contract;
    return false;
}

static const struct {
    const char *code;
    enum msg why;
} reasons[] = {
    {"unlicensed_agency", MSG_WARN_UNLICENSED_AGENCY},
    {"no_written_contract", MSG_WARN_NO_WRITTEN_CONTRACT},
    {"debt_for_fees", MSG_WARN_DEBT_FOR_FEES},
    {"documents_held_by_broker", MSG_WARN_DOCUMENTS_HELD_BY_BROKER},
    {"irregular_border_crossing", MSG_WARN_IRREGULAR_BORDER_CROSSING},
    {"unknown_employer", MSG_WARN_UNKNOWN_EMPLOYER},
    {"minor", MSG_WARN_MINOR},
    {"no_contact_plan", MSG_WARN_NO_CONTACT_PLAN},
};
_Static_assert(sizeof reasons / sizeof reasons[0] == ADVICE_RISKS_MAX,
               "a reason for every risk of DOMAIN.md §7");

size_t advice_warnings(const struct advice_facts *f, struct advice_warning out[ADVICE_WARNINGS_MAX])
{
    size_t n = 0;
    for (int r = 0; r < code_count(LIST_MIGRATION_RISK) && r < ADVICE_RISKS_MAX; r++) {
        const char *code = code_name(LIST_MIGRATION_RISK, r);
        if (!ticked(f, code) && !rule(f, code))
            continue;
        for (size_t k = 0; k < ADVICE_RISKS_MAX; k++)
            if (is(reasons[k].code, code))
                out[n++] = (struct advice_warning){reasons[k].code, reasons[k].why};
    }
    if (!f->passport && !is(f->channel, "border_pass"))
        out[n++] = (struct advice_warning){"missing_documents", MSG_WARN_MISSING_DOCUMENTS};
    return n;
}
