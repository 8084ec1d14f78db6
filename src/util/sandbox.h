/* The server's confinement after start-up: Landlock (where the kernel has
 * it) limits the files it may open to an allow-list, seccomp (libseccomp)
 * the system calls it may make. Both last for the life of the process and
 * are inherited by every thread started afterwards. */
#ifndef CBPN_UTIL_SANDBOX_H
#define CBPN_UTIL_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

enum sandbox_access {
    SANDBOX_READ,  /* read files (and list the folder) */
    SANDBOX_WRITE, /* SANDBOX_READ, and create, write, truncate, rename and remove files in it */
};

struct sandbox_path {
    const char *path; /* a folder (its whole tree) or a file; a missing one is skipped */
    enum sandbox_access access;
};

#define SANDBOX_PATHS_MAX 48

/* The files the process may still open. */
struct sandbox_policy {
    struct sandbox_path paths[SANDBOX_PATHS_MAX];
    size_t n;
};

/* Adds path (copied by reference: it must outlive the policy's use) to p;
 * false when p is full. */
bool sandbox_allow(struct sandbox_policy *p, const char *path, enum sandbox_access access);

/* What the server needs besides its own data: the files the C library
 * reads to resolve a PostgreSQL host name again (hosts, resolv.conf,
 * nsswitch.conf, passwd...) and the name-service libraries it may load,
 * the time zone, /dev/urandom (SQLite), libpq's files named by its
 * environment (PGPASSFILE...), and the temporary folders (TMPDIR,
 * SQLITE_TMPDIR). */
void sandbox_allow_system(struct sandbox_policy *p);

enum sandbox_landlock {
    SANDBOX_LANDLOCK_ON,          /* enforced */
    SANDBOX_LANDLOCK_UNSUPPORTED, /* the kernel has no Landlock (or it is disabled) */
    SANDBOX_LANDLOCK_OFF,         /* turned off by CBPN_NO_LANDLOCK=1 (tests) */
    SANDBOX_LANDLOCK_FAILED,      /* supported, but the ruleset could not be applied */
};

/* The Landlock ABI version the kernel offers; 0 when it has none. */
int sandbox_landlock_abi(void);

/* Restricts this thread, and the threads it starts from now on, to the
 * files of p. Threads already running are not confined: call it before
 * starting any. Sets no_new_privs. */
enum sandbox_landlock sandbox_landlock(const struct sandbox_policy *p);

/* Loads the seccomp filter on every thread of the process: the system calls
 * the server makes after start-up are allowed; any other one ends the
 * process at once (SIGSYS: a message naming the call's number goes to
 * standard error first). false (errno-style message in *why, caller
 * frees) when the filter could not be loaded. */
bool sandbox_seccomp(char **why);

/* Exit status of a process ended by the seccomp filter (128 + SIGSYS). */
#define SANDBOX_EXIT 159

#endif
