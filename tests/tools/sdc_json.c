/* sdc_protect (domain/sdc.h) on a table read as JSON on stdin, for the tests
 * (tests/api/test_sdc_lp.py):
 *
 *   {"k": 5, "area": [-1, 0, 0], "period": [-1, 0], "ncat": 2,
 *    "cat_additive": true, "time_additive": true, "area_additive": true,
 *    "value": [...]}
 *
 * (parents per node, -1 for a root; values indexed as in sdc.h). Writes
 * {"suppressed": [0, 1, ...], "usec": n, "count": n} on stdout: the flags,
 * the processor time of one sdc_protect in microseconds (the mean over N runs
 * with an argument N) and the number suppressed. Exit status 2 on bad
 * input. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "domain/sdc.h"

static int *ints(json_t *a, int *n)
{
    if (!json_is_array(a))
        return NULL;
    *n = (int)json_array_size(a);
    int *v = calloc((size_t)*n + 1, sizeof *v);
    for (int i = 0; v && i < *n; i++) {
        json_t *x = json_array_get(a, (size_t)i);
        if (!json_is_integer(x)) {
            free(v);
            return NULL;
        }
        v[i] = (int)json_integer_value(x);
    }
    return v;
}

int main(int argc, char **argv)
{
    json_error_t err;
    json_t *in = json_loadf(stdin, 0, &err);
    if (!in || !json_is_object(in)) {
        fprintf(stderr, "sdc_json: %s\n", in ? "not an object" : err.text);
        return 2;
    }
    int na = 0, np = 0;
    int *ap = ints(json_object_get(in, "area"), &na);
    int *pp = ints(json_object_get(in, "period"), &np);
    json_t *vals = json_object_get(in, "value");
    int ncat = (int)json_integer_value(json_object_get(in, "ncat"));
    int k = (int)json_integer_value(json_object_get(in, "k"));
    size_t ncell = (size_t)na * (size_t)np * (size_t)(ncat + 1);
    if (!ap || !pp || ncat < 0 || !json_is_array(vals) || json_array_size(vals) != ncell) {
        fprintf(stderr, "sdc_json: bad table\n");
        return 2;
    }
    int64_t *value = calloc(ncell + 1, sizeof *value);
    bool *sup = calloc(ncell + 1, sizeof *sup);
    if (!value || !sup)
        return 2;
    for (size_t i = 0; i < ncell; i++)
        value[i] = json_integer_value(json_array_get(vals, i));
    struct sdc_tree area = {na, ap}, period = {np, pp};
    struct sdc_table t = {
        .area = &area,
        .period = &period,
        .ncat = ncat,
        .cat_additive = json_is_true(json_object_get(in, "cat_additive")),
        .time_additive = json_is_true(json_object_get(in, "time_additive")),
        .area_additive = json_is_true(json_object_get(in, "area_additive")),
        .value = value,
        .suppressed = sup,
    };
    int runs = argc > 1 ? atoi(argv[1]) : 1;
    if (runs < 1)
        runs = 1;
    struct timespec a, b;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    for (int r = 0; r < runs; r++)
        sdc_protect(&t, k);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    long long usec =
        ((long long)(b.tv_sec - a.tv_sec) * 1000000 + (b.tv_nsec - a.tv_nsec) / 1000) / runs;
    json_t *out = json_array();
    size_t nsup = 0;
    for (size_t i = 0; i < ncell; i++) {
        json_array_append_new(out, json_integer(sup[i]));
        nsup += sup[i];
    }
    json_t *o =
        json_pack("{s:o,s:I,s:I}", "suppressed", out, "usec", usec, "count", (json_int_t)nsup);
    json_dumpf(o, stdout, JSON_COMPACT);
    putchar('\n');
    json_decref(o);
    json_decref(in);
    free(ap);
    free(pp);
    free(value);
    free(sup);
    return 0;
}
