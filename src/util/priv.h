/* Leaving root: cbpn serve started as root runs as an ordinary user. */
#ifndef CBPN_UTIL_PRIV_H
#define CBPN_UTIL_PRIV_H

#include <stdbool.h>
#include <sys/types.h>

/* The user to become when running as root: the user named name (when
 * given), else the owner of owner_of (the database file, or the key file
 * of a PostgreSQL deployment) when that is not root. false with *why
 * (caller frees) for an unknown name; *uid == 0 when there is nobody to
 * become (the caller stays root and says so). */
bool priv_target(const char *name, const char *owner_of, uid_t *uid, gid_t *gid, char **why);

/* Becomes uid:gid for good: drops the supplementary groups, setgid, then
 * setuid, and checks that root cannot be regained. false with *why. */
bool priv_drop(uid_t uid, gid_t gid, char **why);

/* Whether user uid:gid (with no supplementary groups) may use path:
 * read it (want_write false) or read and write it. false with *why naming
 * the file, its owner and mode, and what to do. A missing path is fine. */
bool priv_can_use(const char *path, uid_t uid, gid_t gid, bool want_write, char **why);

#endif
