/* The declared input: any JSON body decoded into the case report, the
 * intake PATCH and the incident, then checked, must end in a verdict
 * (ERR_OK or ERR_VALIDATION), never a crash or an out-of-range count; an
 * accepted input's counts lie within their tables' bounds. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/json_io.h"
#include "domain/casework.h"
#include "domain/incidents.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct fieldset *fs, void *in, const struct ctx *cx, json_t *j)
{
    struct fielderrs fe = {0};
    jin_fields(j, fs, in, &fe);
    enum err e = fields_check(cx, fs, in, &fe);
    if (e != ERR_OK && e != ERR_VALIDATION)
        abort();
    if (fe.n < 0 || fe.n > FIELDERRS_MAX + 64)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return 0;
    }
    struct ctx cx = {0}; /* no gazetteer, no catalog: places are unknown */
    struct case_report_in report;
    struct case_patch_in patch;
    struct incident_in incident;
    case_report_in_init(&report);
    case_patch_in_init(&patch);
    incident_in_init(&incident);
    check(&case_report_fields, &report, &cx, j);
    check(&case_patch_fields, &patch, &cx, j);
    check(&incident_fields, &incident, &cx, j);
    if (report.nconcerns < 0 || report.nconcerns > CONCERNS_MAX + 1 || incident.nperpetrators < 0 ||
        incident.nperpetrators > PERPETRATORS_MAX + 1)
        abort();
    json_decref(j);
    return 0;
}
