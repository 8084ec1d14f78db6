/* docs/openapi.yaml stays true: every route of the API table is described
 * there with its method, and every path described there is served. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

static const char *const method_keys[M__MAX] = {
    [M_GET] = "get",     [M_HEAD] = "head",     [M_POST] = "post",       [M_PUT] = "put",
    [M_PATCH] = "patch", [M_DELETE] = "delete", [M_OPTIONS] = "options", [M_OTHER] = "?",
};

static char *spec;

static int load(void **state)
{
    (void)state;
    FILE *f = fopen("docs/openapi.yaml", "rb");
    if (f == NULL)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    spec = calloc(1, (size_t)n + 1);
    size_t got = fread(spec, 1, (size_t)n, f);
    fclose(f);
    return got == (size_t)n ? 0 : -1;
}

static int unload(void **state)
{
    (void)state;
    free(spec);
    return 0;
}

/* The block of the path item "  PATH:" up to the next path item. */
static const char *path_item(const char *path, size_t *len)
{
    char key[256];
    snprintf(key, sizeof key, "\n  %s:\n", path);
    const char *p = strstr(spec, key);
    if (p == NULL)
        return NULL;
    p += strlen(key);
    const char *end = p;
    /* Path items are indented by two spaces; their contents by more. */
    while ((end = strchr(end, '\n')) != NULL &&
           (strncmp(end + 1, "    ", 4) == 0 || end[1] == '\n'))
        end++;
    *len = end ? (size_t)(end - p) : strlen(p);
    return p;
}

static void test_every_route_is_described(void **state)
{
    (void)state;
    for (size_t i = 0; i < api_nroutes; i++) {
        size_t len = 0;
        const char *item = path_item(api_routes[i].pattern, &len);
        if (item == NULL)
            fail_msg("%s is not in docs/openapi.yaml", api_routes[i].pattern);
        char op[32];
        snprintf(op, sizeof op, "\n    %s:", method_keys[api_routes[i].method]);
        char *block = strndup(item - 1, len + 1);
        if (strstr(block, op) == NULL)
            fail_msg("%s %s is not in docs/openapi.yaml", method_keys[api_routes[i].method],
                     api_routes[i].pattern);
        free(block);
    }
}

static void test_every_described_path_is_served(void **state)
{
    (void)state;
    const char *p = strstr(spec, "\npaths:\n");
    assert_non_null(p);
    p += strlen("\npaths:\n");
    int described = 0;
    while (strncmp(p, "  /", 3) == 0 || strncmp(p, "    ", 4) == 0 || *p == '\n') {
        const char *eol = strchr(p, '\n');
        if (eol == NULL)
            break;
        if (strncmp(p, "  /", 3) == 0) {
            char path[256];
            size_t n = (size_t)(eol - p - 3); /* without the two spaces and ':' */
            assert_true(n < sizeof path);
            memcpy(path, p + 2, n);
            path[n] = '\0';
            bool served = strcmp(path, "/healthz") == 0;
            for (size_t i = 0; i < api_nroutes && !served; i++)
                served = strcmp(api_routes[i].pattern, path) == 0;
            if (!served)
                fail_msg("docs/openapi.yaml describes %s, which is not served", path);
            described++;
        }
        p = eol + 1;
    }
    assert_true(described >= (int)api_nroutes / 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_route_is_described),
        cmocka_unit_test(test_every_described_path_is_served),
    };
    return cmocka_run_group_tests(tests, load, unload);
}
