/* Ledger files (ledger.h). */
#include "util/ledger.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/alloc.h"

bool ledger_append(const char *path, const char *line)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return false;
    char *l = xasprintf("%s\n", line);
    size_t n = strlen(l);
    bool ok = write(fd, l, n) == (ssize_t)n && fsync(fd) == 0;
    free(l);
    return close(fd) == 0 && ok;
}

bool ledger_read(const char *path, char ***lines, size_t *n)
{
    *lines = NULL;
    *n = 0;
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return errno == ENOENT;
    char *buf = NULL;
    size_t cap = 0, have = 0;
    ssize_t len;
    while ((len = getline(&buf, &cap, f)) >= 0) {
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
            buf[--len] = '\0';
        if (len == 0)
            continue;
        if (*n == have) {
            have = have ? 2 * have : 16;
            *lines = xrealloc(*lines, have * sizeof **lines);
        }
        (*lines)[(*n)++] = xstrdup(buf);
    }
    free(buf);
    bool ok = !ferror(f);
    fclose(f);
    return ok;
}
