#include "domain/codes.h"

#include <stddef.h>
#include <string.h>

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

static const struct {
    const char *const *codes;
    int n;
} lists[LIST__MAX] = {
    [LIST_CONCERN] = {concerns, CONCERN__MAX},
    [LIST_STATUS] = {statuses, STATUS__MAX},
    [LIST_RISK] = {risks, RISK__MAX},
    [LIST_SEX] = {sexes, SEX__MAX},
};

const char *code_name(enum code_list list, int v)
{
    if ((unsigned)list >= LIST__MAX || v < 0 || v >= lists[list].n)
        return NULL;
    return lists[list].codes[v];
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
