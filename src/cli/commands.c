/* cbpn init, user add, demo, serve. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "audit/audit.h"
#include "cli/cli.h"
#include "cli/demo.h"
#include "domain/network.h"
#include "domain/referrals.h"
#include "domain/totp.h"
#include "domain/users.h"
#include "http/http.h"
#include "i18n/i18n.h"
#include "util/alloc.h"
#include "util/log.h"
#include "web/web.h"

static int usage(const char *text, bool asked)
{
    fputs(text, asked ? stdout : stderr);
    return asked ? 0 : 2;
}

/* Parses the options every command shares; returns -1 to go on, else an exit status. */
static const char *const INIT_USAGE =
    "usage: cbpn init --db FILE|URI [--key KEYFILE]\n"
    "Creates a database at FILE, loads Cambodia's gazetteer into it, and\n"
    "creates its data key FILE.key (keep it apart from backups of FILE).\n"
    "With a PostgreSQL URI (postgres://USER@HOST:PORT/DB, several hosts\n"
    "allowed), sets up that empty database and creates the data key at\n"
    "KEYFILE (--key is then required; the same file serves every server).\n";

int cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    const char *db = NULL, *key = NULL;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'd')
            db = optarg;
        else if (o == 'k')
            key = optarg;
        else
            return usage(INIT_USAGE, o == 'h');
    }
    if (db == NULL || optind != argc)
        return usage(INIT_USAGE, false);
    char *keypath = cli_key_path(db, key);
    if (keypath == NULL)
        return 2;
    bool ok = cli_create(db, keypath);
    if (ok)
        printf("created the database and its data key %s\n", keypath);
    free(keypath);
    return ok ? 0 : 1;
}

static const char *const USER_USAGE =
    "usage: cbpn user add --db FILE|URI [--key KEYFILE] --username U --role ROLE\n"
    "                     [--group ID] [--member ID]\n"
    "                     [--organization ID] [--display-name NAME] [--locale km|en]\n"
    "The password is read from standard input (one line, 10 characters or more;\n"
    "not a common password, nor the username).\n"
    "Roles: member representative caseworker supervisor provider analyst admin.\n"
    "--member: a member's or representative's record in the group's member list.\n"
    "       cbpn user approve --db FILE|URI [--key KEYFILE] --username U\n"
    "Approves an account waiting for approval: one for a role that can see\n"
    "identities (caseworker, supervisor, provider) that an admin asked for,\n"
    "such as the first supervisor of an organization.\n"
    "       cbpn user totp-reset --db FILE|URI [--key KEYFILE] --username U\n"
    "Removes the account's TOTP second factor (a lost phone) and ends its\n"
    "sessions; she enrols again after signing in. Audited.\n";

/* cbpn user totp-reset: the local operator removes an account's TOTP. */
static int user_totp_reset_cmd(const char *db, const char *key, const char *username)
{
    char *keypath = cli_key_path(db, key);
    if (keypath == NULL)
        return 2;
    struct app app;
    bool opened = cli_open(db, keypath, &app);
    free(keypath);
    if (!opened)
        return 1;
    struct ctx cx = {store_conn(app.store), app.key, NULL, app.places, .local_operator = true};
    enum err e = totp_reset(&cx, username);
    if (e == ERR_OK)
        printf("removed the second factor of %s\n", username);
    else if (e == ERR_NOT_FOUND)
        fprintf(stderr, "cbpn: no account %s with a second factor\n", username);
    else
        fprintf(stderr, "cbpn: %s\n", err_message(e));
    cli_close(&app);
    return e == ERR_OK ? 0 : 1;
}

/* cbpn user approve: the local operator approves a pending account. */
static int user_approve_cmd(const char *db, const char *key, const char *username)
{
    char *keypath = cli_key_path(db, key);
    if (keypath == NULL)
        return 2;
    struct app app;
    int rc = 1;
    bool opened = cli_open(db, keypath, &app);
    free(keypath);
    if (!opened)
        return 1;
    struct ctx cx = {store_conn(app.store), app.key, NULL, app.places, .local_operator = true};
    struct user_rec u = {0}, out = {0};
    struct fielderrs fe = {0};
    enum err e = user_by_username(&cx, username, &u);
    if (e == ERR_OK)
        e = user_approve(&cx, u.id, u.version, &out, &fe);
    if (e == ERR_OK) {
        printf("%s\n", out.id);
        rc = 0;
    } else if (e == ERR_NOT_FOUND) {
        fprintf(stderr, "cbpn: no account %s\n", username);
    } else if (e == ERR_CONFLICT) {
        fprintf(stderr, "cbpn: the account %s is not waiting for approval\n", username);
    } else {
        fprintf(stderr, "cbpn: %s\n", err_message(e));
    }
    user_rec_free(&u);
    user_rec_free(&out);
    cli_close(&app);
    return rc;
}

int cmd_user(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"username", required_argument, NULL, 'u'},
                                         {"role", required_argument, NULL, 'r'},
                                         {"group", required_argument, NULL, 'g'},
                                         {"member", required_argument, NULL, 'm'},
                                         {"organization", required_argument, NULL, 'o'},
                                         {"display-name", required_argument, NULL, 'n'},
                                         {"locale", required_argument, NULL, 'l'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    struct user_in in = {0};
    const char *db = NULL, *key = NULL;
    int o;
    if (argc < 2 || (strcmp(argv[1], "add") != 0 && strcmp(argv[1], "approve") != 0 &&
                     strcmp(argv[1], "totp-reset") != 0)) {
        bool help = argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
        return usage(USER_USAGE, help);
    }
    bool approve = strcmp(argv[1], "approve") == 0;
    bool totp_reset_it = strcmp(argv[1], "totp-reset") == 0;
    argc--, argv++;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'd':
            db = optarg;
            break;
        case 'k':
            key = optarg;
            break;
        case 'u':
            in.username = optarg;
            break;
        case 'r':
            in.role = optarg;
            break;
        case 'g':
            in.group_id = optarg;
            break;
        case 'm':
            in.member_id = optarg;
            break;
        case 'o':
            in.organization_id = optarg;
            break;
        case 'n':
            in.display_name = optarg;
            break;
        case 'l':
            in.locale = optarg;
            break;
        default:
            return usage(USER_USAGE, o == 'h');
        }
    }
    if (approve || totp_reset_it) {
        if (db == NULL || in.username == NULL || in.role != NULL || optind != argc)
            return usage(USER_USAGE, false);
        return approve ? user_approve_cmd(db, key, in.username)
                       : user_totp_reset_cmd(db, key, in.username);
    }
    if (db == NULL || in.username == NULL || in.role == NULL || optind != argc)
        return usage(USER_USAGE, false);
    char *keypath = cli_key_path(db, key);
    if (keypath == NULL)
        return 2;

    char *password = cli_read_secret(stdin);
    if (password == NULL) {
        fprintf(stderr, "cbpn: give the password on standard input\n");
        free(keypath);
        return 1;
    }
    in.password = password;
    struct app app;
    int rc = 1;
    if (!cli_open(db, keypath, &app))
        goto out;
    struct ctx cx = {store_conn(app.store), app.key, NULL, app.places, .local_operator = true};
    struct user_rec u = {0};
    struct fielderrs fe = {0};
    enum err e = user_create(&cx, &in, &u, &fe);
    if (e == ERR_OK) {
        printf("%s\n", u.id);
        rc = 0;
    } else {
        fprintf(stderr, "cbpn: %s\n", err_message(e));
        for (int i = 0; i < fe.n; i++)
            fprintf(stderr, "  %s: %s\n", fe.e[i].field, fe.e[i].message);
    }
    user_rec_free(&u);
    cli_close(&app);
out:
    sodium_memzero(password, strlen(password));
    free(password);
    free(keypath);
    return rc;
}

/* The files that go with a data key: its audit keys and the commands'
 * signed head. */
static const char *const KEY_SUFFIXES[] = {"", ".audit", ".head.cli"};

/* Removes a database file, its WAL files and its key (with its audit key
 * and head); missing files are fine. */
static void remove_database(const char *db, const char *keypath)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        char *p = xasprintf("%s%s", db, suffixes[i]);
        unlink(p);
        free(p);
    }
    for (size_t i = 0; i < sizeof(KEY_SUFFIXES) / sizeof(KEY_SUFFIXES[0]); i++) {
        char *p = xasprintf("%s%s", keypath, KEY_SUFFIXES[i]);
        unlink(p);
        free(p);
    }
}

/* Moves a closed database file and its key (with its audit key and head)
 * from one name to another. */
static bool rename_database(const char *from, const char *from_key, const char *to,
                            const char *to_key)
{
    bool ok = true;
    for (size_t i = 0; ok && i < sizeof(KEY_SUFFIXES) / sizeof(KEY_SUFFIXES[0]); i++) {
        char *a = xasprintf("%s%s", from_key, KEY_SUFFIXES[i]);
        char *b = xasprintf("%s%s", to_key, KEY_SUFFIXES[i]);
        struct stat sb;
        if (i == 0 || stat(a, &sb) == 0)
            ok = rename(a, b) == 0;
        free(a);
        free(b);
    }
    return ok && rename(from, to) == 0;
}

static const char *const DEMO_USAGE =
    "usage: cbpn demo --db FILE|URI [--key KEYFILE] [--password-stdin] [--scale N]\n"
    "Creates FILE (when missing) and fills it with the Siem Reap demo network:\n"
    "one NGO, 8 network groups in Puok and Kralanh, about 160 members, service\n"
    "providers, a few dozen reported cases and the demo users. Every person is\n"
    "fictional. With --password-stdin every demo user gets the password read from\n"
    "standard input; otherwise each gets a new one, printed as USER<TAB>PASSWORD.\n"
    "With a PostgreSQL URI the database must exist (empty, or set up by cbpn\n"
    "init with the same --key).\n"
    "With --scale N (1 to 10000000) it makes a synthetic national network instead:\n"
    "N cases over every province and the last five years, with their survivors,\n"
    "incidents, screenings, consents, referrals, notes and closures, and groups,\n"
    "members (N/50), trainings (N/200), outreach sessions (N/20) and advice records\n"
    "(N/5) in proportion; the same N makes the same records. Every account gets the\n"
    "same password (printed on each line when generated). Progress goes to standard\n"
    "error. See docs/demo.md.\n";

int cmd_demo(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},       {"key", required_argument, NULL, 'k'},
        {"password-stdin", no_argument, NULL, 'p'}, {"scale", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},           {0, 0, 0, 0}};
    const char *db = NULL, *key = NULL, *scale = NULL;
    bool from_stdin = false;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'd')
            db = optarg;
        else if (o == 'k')
            key = optarg;
        else if (o == 'p')
            from_stdin = true;
        else if (o == 's')
            scale = optarg;
        else
            return usage(DEMO_USAGE, o == 'h');
    }
    if (db == NULL || optind != argc)
        return usage(DEMO_USAGE, false);
    long n = 0;
    if (scale != NULL) {
        char *end = NULL;
        errno = 0;
        n = strtol(scale, &end, 10);
        if (errno != 0 || end == scale || *end != '\0' || n < 1 || n > DEMO_SCALE_MAX) {
            fprintf(stderr, "cbpn: demo: --scale takes a number of cases from 1 to %ld\n",
                    DEMO_SCALE_MAX);
            return 2;
        }
    }

    char *password = NULL;
    if (from_stdin) {
        password = cli_read_secret(stdin);
        if (password == NULL || strlen(password) < 10) {
            fprintf(stderr, "cbpn: give a password of 10 characters or more on standard input\n");
            free(password);
            return 1;
        }
    }
    /* A new demo database file is built under another name and renamed
     * when complete, so a failure part-way leaves no half-built database.
     * A PostgreSQL database is new when its key file is: it is set up in
     * place (on failure, drop and create it again). */
    struct stat sb;
    bool uri = store_is_uri(db);
    char *keypath = cli_key_path(db, key);
    if (keypath == NULL) {
        free(password);
        return 2;
    }
    bool fresh = stat(uri ? keypath : db, &sb) != 0;
    bool partial = fresh && !uri;
    char *work = partial ? xasprintf("%s.partial", db) : xstrdup(db);
    char *workkey = partial ? xasprintf("%s.partial", keypath) : xstrdup(keypath);
    int rc = 1;
    struct app app;
    if (fresh) {
        if (partial)
            remove_database(work, workkey);
        if (!cli_create(work, workkey))
            goto out;
    }
    if (!cli_open(work, workkey, &app))
        goto out;
    char *msg = NULL;
    enum err e = scale != NULL ? demo_scale_populate(store_conn(app.store), app.key, app.places, n,
                                                     password, stdout, &msg)
                               : demo_populate(store_conn(app.store), app.key, app.places, password,
                                               stdout, &msg);
    if (e == ERR_OK) {
        rc = 0;
    } else {
        fprintf(stderr, "cbpn: demo: %s\n", msg ? msg : err_message(e));
        free(msg);
    }
    cli_close(&app);
    if (partial && rc == 0 && !rename_database(work, workkey, db, keypath)) {
        fprintf(stderr, "cbpn: demo: cannot rename %s to %s\n", work, db);
        rc = 1;
    }
out:
    if (partial && rc != 0)
        remove_database(work, workkey);
    free(work);
    free(workkey);
    free(keypath);
    if (password != NULL) {
        sodium_memzero(password, strlen(password));
        free(password);
    }
    return rc;
}

static const char *const SERVE_USAGE =
    "usage: cbpn serve --db FILE|URI [--key KEYFILE] [--listen ADDR:PORT] [--threads N]\n"
    "                  [--secure-cookies] [--trusted-proxy ADDR[,ADDR...]]... [--user NAME]\n"
    "                  [--server-id ID] [--head-dir DIR]\n"
    "Serves the web app and the JSON API (default 127.0.0.1:8080). SIGTERM or\n"
    "SIGINT lets requests in flight finish, then exits 0. --secure-cookies marks\n"
    "cookies Secure: use it when a TLS proxy serves cbpn over HTTPS.\n"
    "--trusted-proxy names a reverse proxy by its exact IPv4 or IPv6 address\n"
    "(repeatable): on its requests the client is the last address of\n"
    "X-Forwarded-For, for the per-address sign-in limit; from any other peer\n"
    "that header is ignored. --threads: worker threads (default: one per core\n"
    "on SQLite, four per core on PostgreSQL, each with its own connection).\n"
    "With a PostgreSQL URI, several cbpn servers can serve one database; list\n"
    "the primary and its standby (host1:5432,host2:5432) with\n"
    "?target_session_attrs=read-write and cbpn follows a failover by itself.\n"
    "Started as root it runs as --user NAME, or else as the owner of the database\n"
    "file (of the key file, for PostgreSQL) when that is not root; staying root\n"
    "is said in the log. After start-up it confines itself: seccomp, and Landlock\n"
    "where the kernel has it (its files: the database's and the key's folders,\n"
    "TMPDIR, default /tmp, and --head-dir; CBPN_NO_LANDLOCK=1 turns Landlock off).\n"
    "Within a second of every commit that appends to the audit log, and at\n"
    "shutdown, the server signs the log's head into KEYFILE.head.ID, beside the\n"
    "data key or in --head-dir DIR (ID: --server-id, by default \"local\" for\n"
    "a file and HOSTNAME-PORT for a URI; give each server of one PostgreSQL its\n"
    "own). The audit keys are KEYFILE.audit (created at the first start of a\n"
    "deployment that has none).\n";

/* The server's head signer, its file named by the server id. */
static bool start_signer(struct app *app, const char *db, const char *server_id, unsigned port)
{
    char id[AUDIT_SERVER_ID_SIZE];
    if (server_id != NULL) {
        snprintf(id, sizeof id, "%s", server_id);
    } else if (store_is_uri(db)) {
        char host[AUDIT_SERVER_ID_SIZE - 8] = "server";
        if (gethostname(host, sizeof host) != 0 || !audit_server_id_valid(host))
            snprintf(host, sizeof host, "server");
        snprintf(id, sizeof id, "%s-%u", host, port);
    } else {
        snprintf(id, sizeof id, "local");
    }
    char *path = audit_head_path(app->headbase, id), *msg = NULL;
    enum err e = audit_signer_start(app->store, app->audit_keys, path, id, &app->signer, &msg);
    if (e != ERR_OK)
        fprintf(stderr, "cbpn: %s\n", msg ? msg : "cannot start the audit head signer");
    else
        log_info("audit: signing the head into %s", path);
    free(msg);
    free(path);
    return e == ERR_OK;
}

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"listen", required_argument, NULL, 'l'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"secure-cookies", no_argument, NULL, 's'},
                                         {"trusted-proxy", required_argument, NULL, 'p'},
                                         {"user", required_argument, NULL, 'u'},
                                         {"server-id", required_argument, NULL, 'i'},
                                         {"head-dir", required_argument, NULL, 'H'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    struct server_config cfg = {.listen = "127.0.0.1:8080",
                                .error_page = web_error_page,
                                .resume_page = web_resume_page,
                                .conn_timeout = 30};
    const char *db = NULL, *key = NULL, *user = NULL, *server_id = NULL, *head_dir = NULL;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'd') {
            db = optarg;
        } else if (o == 'k') {
            key = optarg;
        } else if (o == 'u') {
            user = optarg;
        } else if (o == 'i') {
            if (!audit_server_id_valid(optarg)) {
                fprintf(stderr, "cbpn: --server-id: 1 to 64 letters, digits, '.', '_' or '-'\n");
                return 2;
            }
            server_id = optarg;
        } else if (o == 'H') {
            head_dir = optarg;
        } else if (o == 'l') {
            cfg.listen = optarg;
        } else if (o == 's') {
            cfg.secure_cookies = true;
        } else if (o == 'p') {
            char *why = NULL;
            if (!http_proxies_add(&cfg.trusted_proxies, optarg, &why)) {
                fprintf(stderr, "cbpn: %s\n", why);
                free(why);
                return 2;
            }
        } else if (o == 't') {
            char *end = NULL;
            long n = strtol(optarg, &end, 10);
            if (*end != '\0' || n < 1 || n > 256)
                return usage(SERVE_USAGE, false);
            cfg.threads = (unsigned)n;
        } else {
            return usage(SERVE_USAGE, o == 'h');
        }
    }
    if (db == NULL || optind != argc)
        return usage(SERVE_USAGE, false);
    /* On SQLite the workers compute (one per core); on PostgreSQL each
     * waits on its connection's round trips, so more of them keep the
     * cores busy: four per core, at most 64 connections per server. */
    if (cfg.threads == 0 && store_is_uri(db)) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        cfg.threads = n > 0 ? (unsigned)(n * 4 > 64 ? 64 : n * 4) : 8;
    }
    char *msg = NULL;
    if (!server_listen_valid(cfg.listen, &msg)) {
        fprintf(stderr, "cbpn: %s\n", msg);
        free(msg);
        return 2;
    }
    if (!i18n_init(&msg)) {
        fprintf(stderr, "cbpn: catalogs: %s\n", msg ? msg : "malformed");
        free(msg);
        return 1;
    }
    /* One temporary folder, known before SQLite starts (it reads TMPDIR
     * once): the sandbox lets the server write there and nowhere else but
     * beside the database and the key. */
    if (getenv("TMPDIR") == NULL)
        setenv("TMPDIR", "/tmp", 1);
    char *keypath = cli_key_path(db, key);
    if (keypath == NULL)
        return 2;
    struct app app;
    bool opened = cli_leave_root(user, db, keypath) && cli_open(db, keypath, &app);
    if (opened && head_dir != NULL) {
        free(app.headbase);
        app.headbase = cli_head_base(keypath, head_dir);
    }
    struct cli_confinement confinement = {db, keypath, head_dir};
    cfg.confine = cli_confine;
    cfg.confine_cls = &confinement;
    if (!opened) {
        free(keypath);
        return 1;
    }
    /* Members written before their identities were sealed are sealed now,
     * before anyone is served. */
    struct ctx op = {
        .db = store_conn(app.store), .key = app.key, .places = app.places, .local_operator = true};
    size_t sealed = 0;
    if (member_seal_existing(&op, &sealed) != ERR_OK) {
        fprintf(stderr, "cbpn: cannot seal the members' identities\n");
        cli_close(&app);
        free(keypath);
        return 1;
    }
    if (sealed > 0)
        log_info("sealed the identities of %zu members written before they were sealed", sealed);
    if (user_seal_existing(&op, &sealed) != ERR_OK) {
        fprintf(stderr, "cbpn: cannot seal the accounts' display names\n");
        cli_close(&app);
        free(keypath);
        return 1;
    }
    if (sealed > 0)
        log_info("sealed the display names of %zu accounts written before they were sealed",
                 sealed);
    if (referral_seal_existing(&op, &sealed) != ERR_OK) {
        fprintf(stderr, "cbpn: cannot seal the referrals' contacts\n");
        cli_close(&app);
        free(keypath);
        return 1;
    }
    if (sealed > 0)
        log_info("sealed the contacts of %zu referrals written before they were sealed", sealed);
    /* A database upgraded to the report cells gets them from its records. */
    bool built = true;
    if (store_report_built(op.db, &built) != ERR_OK ||
        (!built && store_report_rebuild(op.db) != ERR_OK)) {
        fprintf(stderr, "cbpn: cannot build the report cells\n");
        cli_close(&app);
        free(keypath);
        return 1;
    }
    if (!built)
        log_info("built the report cells from the records");

    /* One table of every route: the health check, the API, the pages. */
    size_t n = 1 + api_nroutes + web_nroutes;
    struct route *routes = xcalloc(n, sizeof(*routes));
    routes[0] = (struct route){M_GET, "/healthz", http_healthz, ROUTE_API};
    memcpy(routes + 1, api_routes, api_nroutes * sizeof(*routes));
    memcpy(routes + 1 + api_nroutes, web_routes, web_nroutes * sizeof(*routes));

    /* Signals are taken by this thread alone; workers inherit the mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct server *srv = NULL;
    int rc = 1;
    if (server_start(&cfg, &app, routes, n, &srv, &msg) != ERR_OK) {
        fprintf(stderr, "cbpn: %s\n", msg ? msg : "cannot start the server");
        free(msg);
        goto out;
    }
    log_info("serving on %s (port %u)", cfg.listen, server_port(srv));
    app.serving = true;
    if (!start_signer(&app, db, server_id, server_port(srv))) {
        server_stop(srv, 10);
        goto out;
    }
    int sig = 0;
    sigwait(&set, &sig);
    log_info("signal %d: finishing requests in flight", sig);
    server_stop(srv, 10);
    /* after the last request: its entries are in the head signed now */
    audit_signer_stop(app.signer);
    app.signer = NULL;
    log_info("stopped");
    rc = 0;
out:
    free(routes);
    cli_close(&app);
    free(keypath);
    return rc;
}
