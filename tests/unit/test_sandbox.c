/* util/sandbox and util/priv: each confinement is tried in a forked child,
 * which reports by its exit status, so the test program stays free. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tmpdir.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/priv.h"
#include "util/sandbox.h"

/* Runs fn in a child; returns its wait status. */
static int in_child(int (*fn)(void *), void *arg)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(fn(arg));
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return st;
}

static int exited(int st)
{
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

struct dirs {
    char inside[TMPDIR_SIZE];  /* allowed for writing */
    char outside[TMPDIR_SIZE]; /* not in the policy */
};

/* In the child: Landlock on `inside` only. Exit 0 when everything inside
 * works and nothing outside does; else the number of the failed check. */
static int landlock_child(void *arg)
{
    struct dirs *d = arg;
    char in_file[128], new_file[128], renamed[128], out_file[128];
    snprintf(in_file, sizeof in_file, "%s/db", d->inside);
    snprintf(new_file, sizeof new_file, "%s/head.tmp", d->inside);
    snprintf(renamed, sizeof renamed, "%s/head", d->inside);
    snprintf(out_file, sizeof out_file, "%s/secret", d->outside);
    struct sandbox_policy p = {0};
    sandbox_allow(&p, d->inside, SANDBOX_WRITE);
    sandbox_allow(&p, "/nonexistent/cbpn", SANDBOX_READ); /* skipped, not an error */
    if (sandbox_landlock(&p) != SANDBOX_LANDLOCK_ON)
        return 1;
    int fd = open(in_file, O_RDWR);
    if (fd < 0)
        return 2;
    close(fd);
    fd = open(new_file, O_WRONLY | O_CREAT | O_EXCL, 0600); /* the head file's temp */
    if (fd < 0)
        return 3;
    close(fd);
    if (rename(new_file, renamed) != 0 || unlink(renamed) != 0)
        return 4;
    errno = 0;
    if (open(out_file, O_RDONLY) >= 0 || errno != EACCES)
        return 5;
    if (open("/etc/hostname", O_RDONLY) >= 0) /* not allowed either */
        return 6;
    char made[160];
    snprintf(made, sizeof made, "%s/new", d->outside);
    if (open(made, O_WRONLY | O_CREAT, 0600) >= 0)
        return 7;
    return 0;
}

static void test_landlock_allows_only_its_list(void **state)
{
    (void)state;
    if (sandbox_landlock_abi() <= 0)
        skip(); /* this kernel has no Landlock: cbpn serve runs seccomp only */
    struct dirs d;
    assert_true(tmpdir_make(d.inside));
    assert_true(tmpdir_make(d.outside));
    char p[128];
    snprintf(p, sizeof p, "%s/db", d.inside);
    write_file(p, "x");
    snprintf(p, sizeof p, "%s/secret", d.outside);
    write_file(p, "x");
    int st = in_child(landlock_child, &d);
    tmpdir_remove(d.inside);
    tmpdir_remove(d.outside);
    assert_int_equal(exited(st), 0);
}

/* In the child: CBPN_NO_LANDLOCK=1 leaves the files open to it. */
static int landlock_off_child(void *arg)
{
    struct dirs *d = arg;
    setenv("CBPN_NO_LANDLOCK", "1", 1);
    struct sandbox_policy p = {0};
    sandbox_allow(&p, d->inside, SANDBOX_WRITE);
    if (sandbox_landlock(&p) != SANDBOX_LANDLOCK_OFF)
        return 1;
    char out_file[128];
    snprintf(out_file, sizeof out_file, "%s/secret", d->outside);
    int fd = open(out_file, O_RDONLY);
    if (fd < 0)
        return 2;
    close(fd);
    return 0;
}

static void test_landlock_can_be_turned_off(void **state)
{
    (void)state;
    struct dirs d;
    assert_true(tmpdir_make(d.inside));
    assert_true(tmpdir_make(d.outside));
    char p[128];
    snprintf(p, sizeof p, "%s/secret", d.outside);
    write_file(p, "x");
    int st = in_child(landlock_off_child, &d);
    tmpdir_remove(d.inside);
    tmpdir_remove(d.outside);
    assert_int_equal(exited(st), 0);
}

/* The Seccomp: line of /proc/self/status (2: a filter), -1 when absent. */
static int seccomp_mode(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[128];
    int mode = -1;
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "Seccomp:", 8) == 0)
            mode = atoi(line + 8);
    fclose(f);
    return mode;
}

static void *nothing(void *arg)
{
    return arg;
}

/* In the child: the filter on; what the server does still works. Exit 0,
 * or the number of the failed check. */
static int seccomp_allowed_child(void *arg)
{
    (void)arg;
    char *why = NULL;
    if (!sandbox_seccomp(&why))
        return 1;
    if (seccomp_mode() != 2)
        return 2;
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0); /* a libpq reconnect */
    if (s < 0)
        return 3;
    close(s);
    errno = 0; /* the resolver's look at the interfaces: refused, not fatal */
    if (socket(AF_NETLINK, SOCK_RAW, 0) >= 0 || errno != EAFNOSUPPORT)
        return 4;
    unsigned char r[16];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
        return 5;
    pthread_t t; /* a thread (clone3 refused, clone without namespaces) */
    if (pthread_create(&t, NULL, nothing, NULL) != 0 || pthread_join(t, NULL) != 0)
        return 6;
    struct buf b = {.wipe = true}; /* memory, growth, wiping */
    for (int i = 0; i < 1000; i++)
        buf_printf(&b, "%d", i);
    buf_free(&b);
    return 0;
}

static void test_seccomp_allows_the_servers_calls(void **state)
{
    (void)state;
    int st = in_child(seccomp_allowed_child, NULL);
    assert_int_equal(exited(st), 0);
}

/* In the child: the filter on, then a call no server makes. */
static int seccomp_refused_child(void *arg)
{
    const char *what = arg;
    char *why = NULL;
    if (!sandbox_seccomp(&why))
        return 1;
    if (strcmp(what, "chroot") == 0)
        (void)syscall(SYS_chroot, "/");
    else if (strcmp(what, "execve") == 0)
        execl("/bin/true", "true", (char *)NULL);
    else if (strcmp(what, "sigsys") == 0) /* taking the filter's handler away */
        signal(SIGSYS, SIG_IGN);
    else if (strcmp(what, "kill") == 0) /* a signal to another process */
        (void)syscall(SYS_tgkill, 1, 1, 0);
    else if (strcmp(what, "userns") == 0) /* a new user namespace (a way to capabilities) */
        (void)syscall(SYS_clone, (unsigned long)(CLONE_NEWUSER | SIGCHLD), 0, 0, 0, 0);
    return 0; /* the call went through: the filter failed */
}

static void test_seccomp_ends_the_process_on_other_calls(void **state)
{
    (void)state;
    static const char *const calls[] = {"chroot", "execve", "sigsys", "kill", "userns"};
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        int st = in_child(seccomp_refused_child, (void *)(uintptr_t)calls[i]);
        if (exited(st) != SANDBOX_EXIT)
            fail_msg("%s: exit status %d, expected %d", calls[i], exited(st), SANDBOX_EXIT);
    }
}

/* ---- leaving root ---- */

static void test_priv_target(void **state)
{
    (void)state;
    uid_t uid;
    gid_t gid;
    char *why = NULL;
    assert_false(priv_target("no-such-user-cbpn", NULL, &uid, &gid, &why));
    assert_non_null(strstr(why, "no such user"));
    free(why);
    why = NULL;
    assert_false(priv_target("root", NULL, &uid, &gid, &why));
    free(why);
    why = NULL;
    if (getuid() != 0 || getpwnam("nobody") == NULL)
        skip();
    char dir[TMPDIR_SIZE];
    assert_true(tmpdir_make(dir));
    char f[128];
    snprintf(f, sizeof f, "%s/demo.db", dir);
    write_file(f, "x");
    assert_true(priv_target(NULL, f, &uid, &gid, &why));
    assert_int_equal(uid, 0); /* root's file: nobody to become */
    struct passwd *nobody = getpwnam("nobody");
    assert_int_equal(chown(f, nobody->pw_uid, nobody->pw_gid), 0);
    assert_true(priv_target(NULL, f, &uid, &gid, &why));
    assert_int_equal(uid, nobody->pw_uid);
    assert_true(priv_target("nobody", NULL, &uid, &gid, &why));
    assert_int_equal(uid, nobody->pw_uid);
    tmpdir_remove(dir);
}

static void test_priv_can_use_names_the_file(void **state)
{
    (void)state;
    if (getuid() != 0 || getpwnam("nobody") == NULL)
        skip();
    struct passwd *nobody = getpwnam("nobody");
    char dir[TMPDIR_SIZE];
    assert_true(tmpdir_make(dir));
    char key[128];
    snprintf(key, sizeof key, "%s/demo.db.key", dir);
    write_file(key, "k"); /* root's, 0600 */
    char *why = NULL;
    assert_false(priv_can_use(key, nobody->pw_uid, nobody->pw_gid, false, &why));
    assert_non_null(strstr(why, key));
    if (strstr(why, "owned by root") == NULL)
        fail_msg("%s", why);
    assert_non_null(strstr(why, "0600"));
    assert_non_null(strstr(why, "cannot read"));
    free(why);
    why = NULL;
    assert_int_equal(chown(key, nobody->pw_uid, nobody->pw_gid), 0);
    assert_true(priv_can_use(key, nobody->pw_uid, nobody->pw_gid, false, &why));
    assert_false(priv_can_use(dir, nobody->pw_uid, nobody->pw_gid, true, &why)); /* 0700 root */
    free(why);
    why = NULL;
    assert_true(priv_can_use("/nonexistent/cbpn", nobody->pw_uid, nobody->pw_gid, true, &why));
    tmpdir_remove(dir);
}

static int drop_child(void *arg)
{
    const struct passwd *pw = arg;
    char *why = NULL;
    if (!priv_drop(pw->pw_uid, pw->pw_gid, &why))
        return 1;
    if (getuid() != pw->pw_uid || geteuid() != pw->pw_uid || getgid() != pw->pw_gid)
        return 2;
    if (setuid(0) == 0 || setgid(0) == 0)
        return 3;
    gid_t groups[4];
    if (getgroups(4, groups) != 0) /* no supplementary group kept (root's) */
        return 4;
    return 0;
}

static void test_priv_drop_for_good(void **state)
{
    (void)state;
    if (getuid() != 0 || getpwnam("nobody") == NULL)
        skip();
    struct passwd pw = *getpwnam("nobody");
    int st = in_child(drop_child, &pw);
    assert_int_equal(exited(st), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_landlock_allows_only_its_list),
        cmocka_unit_test(test_landlock_can_be_turned_off),
        cmocka_unit_test(test_seccomp_allows_the_servers_calls),
        cmocka_unit_test(test_seccomp_ends_the_process_on_other_calls),
        cmocka_unit_test(test_priv_target),
        cmocka_unit_test(test_priv_can_use_names_the_file),
        cmocka_unit_test(test_priv_drop_for_good),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
