#include "util/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <linux/prctl.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/log.h"

/* Sanitizer builds (make asan): the leak checker stops the world at exit
 * with ptrace from a cloned task and reads /proc; the filter lets it. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

bool sandbox_allow(struct sandbox_policy *p, const char *path, enum sandbox_access access)
{
    if (path == NULL || path[0] == '\0')
        return true;
    if (p->n == SANDBOX_PATHS_MAX)
        return false;
    p->paths[p->n++] = (struct sandbox_path){path, access};
    return true;
}

void sandbox_allow_system(struct sandbox_policy *p)
{
    /* Name resolution and the name-service switch (a reconnect to a
     * PostgreSQL host by name), users and groups (libpq asks for its
     * user's name and home), the time zone of the log's clock. */
    static const char *const etc[] = {
        "/etc/hosts",          "/etc/resolv.conf", "/etc/nsswitch.conf", "/etc/host.conf",
        "/etc/gai.conf",       "/etc/services",    "/etc/protocols",     "/etc/passwd",
        "/etc/group",          "/etc/localtime",   "/etc/ld.so.cache",   "/etc/ssl",
        "/usr/share/zoneinfo", "/dev/urandom",     "/dev/null",
    };
    for (size_t i = 0; i < sizeof(etc) / sizeof(etc[0]); i++)
        sandbox_allow(p, etc[i], SANDBOX_READ);
    /* The name-service libraries (libnss_*.so) the C library may load on
     * the first lookup after start-up, with what they link. */
    static const char *const libs[] = {"/lib", "/lib64", "/usr/lib", "/usr/lib64"};
    for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
        sandbox_allow(p, libs[i], SANDBOX_READ);
    /* libpq's password, service and certificate files. */
    static const char *const pgenv[] = {"PGPASSFILE",    "PGSERVICEFILE", "PGSYSCONFDIR",
                                        "PGSSLROOTCERT", "PGSSLCERT",     "PGSSLKEY"};
    for (size_t i = 0; i < sizeof(pgenv) / sizeof(pgenv[0]); i++)
        sandbox_allow(p, getenv(pgenv[i]), SANDBOX_READ);
    /* The temporary folders: SQLite's (SQLITE_TMPDIR, else TMPDIR, which
     * cmd_serve sets when unset) and the spreadsheets written there. */
    sandbox_allow(p, getenv("SQLITE_TMPDIR"), SANDBOX_WRITE);
    sandbox_allow(p, getenv("TMPDIR"), SANDBOX_WRITE);
    if (SANITIZED)
        sandbox_allow(p, "/proc", SANDBOX_READ);
}

/* ---- Landlock (raw system calls: the C library has no wrappers) ---- */

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)
#endif

/* The fields of struct landlock_ruleset_attr, in the order of the ABI
 * versions that added them; the kernel is told the size it knows. */
struct ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net; /* ABI 4 */
    uint64_t scoped;             /* ABI 6 */
};

int sandbox_landlock_abi(void)
{
    long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    return v > 0 ? (int)v : 0;
}

/* Every file-system right the kernel of ABI version abi knows: handled
 * rights are denied unless a rule grants them. */
static uint64_t fs_rights(int abi)
{
    uint64_t all = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1; /* ABI 1: bits 0..12 */
    if (abi >= 2)
        all |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3)
        all |= LANDLOCK_ACCESS_FS_TRUNCATE;
    if (abi >= 5)
        all |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
    return all;
}

static uint64_t rights_of(enum sandbox_access a, bool dir, int abi)
{
    uint64_t r = LANDLOCK_ACCESS_FS_READ_FILE;
    if (dir)
        r |= LANDLOCK_ACCESS_FS_READ_DIR;
    if (a == SANDBOX_WRITE) {
        r |= LANDLOCK_ACCESS_FS_WRITE_FILE;
        if (abi >= 3)
            r |= LANDLOCK_ACCESS_FS_TRUNCATE;
        if (dir)
            r |= LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REMOVE_FILE |
                 LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR;
    }
    return r;
}

enum sandbox_landlock sandbox_landlock(const struct sandbox_policy *p)
{
    const char *off = getenv("CBPN_NO_LANDLOCK");
    if (off != NULL && strcmp(off, "1") == 0)
        return SANDBOX_LANDLOCK_OFF;
    int abi = sandbox_landlock_abi();
    if (abi <= 0)
        return SANDBOX_LANDLOCK_UNSUPPORTED;
    struct ruleset_attr attr = {.handled_access_fs = fs_rights(abi)};
    size_t size = offsetof(struct ruleset_attr, handled_access_net);
    if (abi >= 4) { /* no TCP port may be bound: the listening socket already is */
        attr.handled_access_net = LANDLOCK_ACCESS_NET_BIND_TCP;
        size = offsetof(struct ruleset_attr, scoped);
    }
    if (abi >= 6) { /* no signal to, nor abstract socket of, a process outside */
        attr.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL;
        size = sizeof(attr);
    }
    int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0U);
    if (rs < 0) {
        log_error("sandbox: landlock_create_ruleset: %s", strerror(errno));
        return SANDBOX_LANDLOCK_FAILED;
    }
    enum sandbox_landlock result = SANDBOX_LANDLOCK_FAILED;
    for (size_t i = 0; i < p->n; i++) {
        int fd = open(p->paths[i].path, O_PATH | O_CLOEXEC);
        if (fd < 0)
            continue; /* a file this machine has not: nothing to allow */
        struct stat sb;
        if (fstat(fd, &sb) != 0) {
            close(fd);
            continue;
        }
        struct landlock_path_beneath_attr pb = {
            .allowed_access = rights_of(p->paths[i].access, S_ISDIR(sb.st_mode), abi),
            .parent_fd = fd};
        int rc = (int)syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0U);
        int e = errno;
        close(fd);
        if (rc != 0) {
            log_error("sandbox: landlock_add_rule %s: %s", p->paths[i].path, strerror(e));
            goto out;
        }
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        syscall(SYS_landlock_restrict_self, rs, 0U) != 0) {
        log_error("sandbox: landlock_restrict_self: %s", strerror(errno));
        goto out;
    }
    result = SANDBOX_LANDLOCK_ON;
out:
    close(rs);
    return result;
}

/* ---- seccomp ---- */

/* The system calls of the running server: libmicrohttpd's threads (epoll,
 * accept, the inter-thread eventfd), SQLite's file I/O and locks (pread,
 * pwrite, fdatasync, fcntl locks, the WAL index's mmap), libpq's reconnects
 * (socket, connect, poll, the resolver's UDP), libsodium's getrandom and
 * locked memory, jansson and ICU's memory, the head and spreadsheet files
 * written beside the key and in the temporary folder (rename, unlink). */
static const char *const ALLOWED[] = {
    /* memory */
    "brk",
    "mmap",
    "munmap",
    "mremap",
    "mprotect",
    "madvise",
    "mlock",
    "munlock",
    "mincore",
    /* threads, time, signals of its own (clone: see allow_narrowed) */
    "set_robust_list",
    "rseq",
    "futex",
    "futex_waitv",
    "exit",
    "exit_group",
    "sched_yield",
    "sched_getaffinity",
    "gettid",
    "getpid",
    "set_tid_address",
    "rt_sigprocmask",
    "rt_sigreturn",
    "rt_sigtimedwait",
    "sigaltstack",
    "restart_syscall",
    "nanosleep",
    "clock_nanosleep",
    "clock_gettime",
    "clock_getres",
    "gettimeofday",
    "time",
    "getrandom",
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "getresuid",
    "getresgid",
    "getgroups",
    "sysinfo",
    "uname",
    "membarrier",
    /* files (which ones: Landlock) */
    "read",
    "write",
    "readv",
    "writev",
    "pread64",
    "pwrite64",
    "preadv",
    "pwritev",
    "lseek",
    "open",
    "openat",
    "close",
    "fstat",
    "newfstatat",
    "stat",
    "lstat",
    "statx",
    "fcntl",
    "fsync",
    "fdatasync",
    "ftruncate",
    "unlink",
    "unlinkat",
    "rename",
    "renameat",
    "renameat2",
    "fchown",
    "fchmod",
    "access",
    "faccessat",
    "faccessat2",
    "getdents64",
    "readlink",
    "readlinkat",
    "getcwd",
    "mkdir",
    "mkdirat",
    "rmdir",
    "flock",
    "dup",
    "dup2",
    "dup3",
    "fadvise64",
    /* readiness */
    "eventfd2",
    "epoll_create1",
    "epoll_ctl",
    "epoll_wait",
    "epoll_pwait",
    "epoll_pwait2",
    "poll",
    "ppoll",
    "select",
    "pselect6",
    /* sockets: accepted connections, libpq's and the resolver's */
    "accept",
    "accept4",
    "connect",
    "getsockname",
    "getpeername",
    "getsockopt",
    "setsockopt",
    "sendto",
    "recvfrom",
    "sendmsg",
    "recvmsg",
    "sendmmsg",
    "recvmmsg",
    "shutdown",
};

/* make asan's leak checker, at exit. */
static const char *const ALLOWED_SANITIZED[] = {"ptrace",           "wait4",       "waitid",
                                                "process_vm_readv", "kill",        "prctl",
                                                "getppid",          "personality", "getdents"};

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    /* Async-signal-safe: a fixed message and the call's number. */
    char msg[96] = "cbpn: sandbox: system call ";
    size_t n = strlen(msg);
    char digits[16];
    int d = 0;
    unsigned v = (unsigned)si->si_syscall;
    do {
        digits[d++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0 && d < (int)sizeof(digits));
    while (d > 0)
        msg[n++] = digits[--d];
    static const char tail[] = " refused; the server stops\n";
    memcpy(msg + n, tail, sizeof(tail) - 1);
    n += sizeof(tail) - 1;
    ssize_t w = write(STDERR_FILENO, msg, n);
    (void)w;
    _exit(SANDBOX_EXIT);
}

static int allow(scmp_filter_ctx f, const char *name)
{
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR)
        return 0; /* not a system call of this architecture */
    return seccomp_rule_add(f, SCMP_ACT_ALLOW, nr, 0);
}

/* Argument n compared with op to v (SCMP_A0 and kin leave datum_b to the
 * compiler, which clang's -Wmissing-field-initializers refuses). */
static struct scmp_arg_cmp cmp(unsigned n, enum scmp_compare op, scmp_datum_t v)
{
    return (struct scmp_arg_cmp){.arg = n, .op = op, .datum_a = v, .datum_b = 0};
}

/* The calls allowed with some arguments only. */
static int allow_narrowed(scmp_filter_ctx f)
{
    int rc = 0;
    /* Threads, but no new namespace: clone3's flags are in memory, which a
     * filter cannot read, so it is answered "not implemented" and the C
     * library falls back to clone, whose flags are checked. */
    const scmp_datum_t namespaces = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |
                                    CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET;
    rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                              cmp(0, SCMP_CMP_MASKED_EQ, namespaces)); /* flags & ns == 0 */
    /* Sockets of these families; AF_NETLINK (the resolver's look at the
     * interfaces) is answered "not supported" and the resolver does without. */
    static const int families[] = {AF_UNIX, AF_INET, AF_INET6};
    for (size_t i = 0; i < sizeof(families) / sizeof(families[0]) && rc == 0; i++)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
                              cmp(0, SCMP_CMP_EQ, (scmp_datum_t)families[i]));
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
                              cmp(0, SCMP_CMP_EQ, (scmp_datum_t)AF_NETLINK));
    /* Signal handlers, except SIGSYS's: the filter's report cannot be undone. */
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(rt_sigaction), 1,
                              cmp(0, SCMP_CMP_NE, (scmp_datum_t)SIGSYS));
    /* Signals to its own threads only (raise, abort). */
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
                              cmp(0, SCMP_CMP_EQ, (scmp_datum_t)getpid()));
    /* Reading resource limits, never raising them. */
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 2, cmp(0, SCMP_CMP_EQ, 0),
                              cmp(2, SCMP_CMP_EQ, 0));
    /* Thread names; a non-blocking socket; bytes waiting; a terminal test. */
    static const unsigned long ioctls[] = {FIONBIO, FIONREAD, TCGETS};
    for (size_t i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]) && rc == 0; i++)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
                              cmp(1, SCMP_CMP_EQ, (scmp_datum_t)ioctls[i]));
    if (!SANITIZED) {
        static const int prctls[] = {PR_SET_NAME, PR_GET_NAME};
        for (size_t i = 0; i < sizeof(prctls) / sizeof(prctls[0]) && rc == 0; i++)
            rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
                                  cmp(0, SCMP_CMP_EQ, (scmp_datum_t)prctls[i]));
    }
    return rc;
}

bool sandbox_seccomp(char **why)
{
    /* The default action: SIGSYS to the calling thread, whose handler says
     * which call it was and ends the whole process. A call the allow-list
     * missed stops the server loudly (the supervisor restarts it) instead
     * of failing a request in a way nobody reads; a compromised thread
     * cannot take the handler away (rt_sigaction of SIGSYS is refused). */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_sigsys;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSYS, &sa, NULL) != 0) {
        *why = xasprintf("sigaction(SIGSYS): %s", strerror(errno));
        return false;
    }
    scmp_filter_ctx f = seccomp_init(SCMP_ACT_TRAP);
    if (f == NULL) {
        *why = xasprintf("seccomp_init failed");
        return false;
    }
    int rc = seccomp_attr_set(f, SCMP_FLTATR_CTL_TSYNC, 1);
    for (size_t i = 0; i < sizeof(ALLOWED) / sizeof(ALLOWED[0]) && rc == 0; i++)
        rc = allow(f, ALLOWED[i]);
    for (size_t i = 0;
         SANITIZED && i < sizeof(ALLOWED_SANITIZED) / sizeof(ALLOWED_SANITIZED[0]) && rc == 0; i++)
        rc = allow(f, ALLOWED_SANITIZED[i]);
    if (rc == 0)
        rc = allow_narrowed(f);
    if (rc == 0)
        rc = seccomp_load(f);
    seccomp_release(f);
    if (rc != 0) {
        *why = xasprintf("seccomp: %s", strerror(-rc));
        return false;
    }
    return true;
}
