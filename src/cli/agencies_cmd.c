/* cbpn agencies import: load the ministry's list of licensed recruitment
 * agencies. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "domain/agencies.h"
#include "util/alloc.h"

#define LIST_FILE_MAX (16u << 20) /* bytes of a list file */

static const char *const AGENCIES_USAGE =
    "usage: cbpn agencies import --db FILE|URI [--key KEYFILE] CSV --source-date YYYY-MM-DD\n"
    "Loads the ministry's list of licensed recruitment agencies, dated\n"
    "YYYY-MM-DD (the list's own date), all rows or none. CSV is UTF-8 with the\n"
    "header name_km,name_en,licence_no,licence_valid_until (dates YYYY-MM-DD;\n"
    "lines starting with # are comments). Rows are matched to earlier lists by\n"
    "licence_no; an agency missing from this list is no longer licensed from\n"
    "its date on. A bad row is reported with its line number and nothing is\n"
    "written. May run while cbpn serve runs: the server answers from the new\n"
    "list at once.\n";

/* The file's bytes (NUL-terminated) in *text, *len; prints why not. */
static bool file_read(const char *path, char **text, size_t *len)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        fprintf(stderr, "cbpn: cannot read %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > (off_t)LIST_FILE_MAX) {
        fprintf(stderr, "cbpn: %s: not a regular file of at most 16 MiB\n", path);
        close(fd);
        return false;
    }
    char *p = xmalloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, p + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    p[got] = '\0';
    *text = p;
    *len = got;
    return true;
}

int cmd_agencies(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"source-date", required_argument, NULL, 's'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    const char *db = NULL, *key = NULL, *source_date = NULL;
    int o;
    if (argc < 2 || strcmp(argv[1], "import") != 0) {
        bool help = argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
        fputs(AGENCIES_USAGE, help ? stdout : stderr);
        return help ? 0 : 2;
    }
    argc--, argv++;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'd')
            db = optarg;
        else if (o == 'k')
            key = optarg;
        else if (o == 's')
            source_date = optarg;
        else {
            fputs(AGENCIES_USAGE, o == 'h' ? stdout : stderr);
            return o == 'h' ? 0 : 2;
        }
    }
    if (db == NULL || source_date == NULL || optind != argc - 1) {
        fputs(AGENCIES_USAGE, stderr);
        return 2;
    }
    const char *path = argv[optind];
    char *text = NULL;
    size_t len = 0;
    if (!file_read(path, &text, &len))
        return 1;
    char *keypath = cli_key_path(db, key);
    if (keypath == NULL) {
        free(text);
        return 2;
    }
    struct app app;
    bool opened = cli_open(db, keypath, &app);
    free(keypath);
    if (!opened) {
        free(text);
        return 1;
    }
    struct ctx cx = {.db = store_conn(app.store), .key = app.key, .local_operator = true};
    struct agency_import_summary sum;
    char *errors = NULL;
    enum err e = agency_import(&cx, text, len, source_date, &sum, &errors);
    int status = 0;
    if (e == ERR_OK) {
        printf("imported the list of %s: %d agencies; %d added, %d updated, %d unchanged, "
               "%d no longer listed\n",
               source_date, sum.rows, sum.added, sum.updated, sum.unchanged, sum.dropped);
    } else if (e == ERR_VALIDATION) {
        fprintf(stderr, "%s", errors != NULL ? errors : "");
        fprintf(stderr, "cbpn: %s: nothing imported\n", path);
        status = 1;
    } else {
        fprintf(stderr, "cbpn: %s: nothing imported: %s\n", path, err_message(e));
        status = 1;
    }
    free(errors);
    free(text);
    cli_close(&app);
    return status;
}
