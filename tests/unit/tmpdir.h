/* Temporary directories for tests that need real files (databases, keys).
 * Header-only: include once per test program. */
#ifndef CBPN_TESTS_TMPDIR_H
#define CBPN_TESTS_TMPDIR_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TMPDIR_SIZE 64

/* Makes a new directory under /tmp into dir; false on failure. */
static inline int tmpdir_make(char dir[TMPDIR_SIZE])
{
    snprintf(dir, TMPDIR_SIZE, "/tmp/cbpn-test-XXXXXX");
    return mkdtemp(dir) != NULL;
}

/* Removes dir and the files in it (one level: tests make no subfolders). */
static inline void tmpdir_remove(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[512];
    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

#endif
