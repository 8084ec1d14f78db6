#include "util/priv.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"

bool priv_target(const char *name, const char *owner_of, uid_t *uid, gid_t *gid, char **why)
{
    *uid = 0;
    *gid = 0;
    if (name != NULL) {
        errno = 0;
        struct passwd *pw = getpwnam(name);
        if (pw == NULL) {
            *why = xasprintf("--user %s: no such user", name);
            return false;
        }
        if (pw->pw_uid == 0) {
            *why = xasprintf("--user %s is root: name an unprivileged user", name);
            return false;
        }
        *uid = pw->pw_uid;
        *gid = pw->pw_gid;
        return true;
    }
    struct stat sb;
    if (owner_of == NULL || stat(owner_of, &sb) != 0 || sb.st_uid == 0)
        return true;
    *uid = sb.st_uid;
    /* The owner's own group when the system knows her, else the file's. */
    struct passwd *pw = getpwuid(sb.st_uid);
    *gid = pw != NULL ? pw->pw_gid : sb.st_gid;
    return true;
}

bool priv_drop(uid_t uid, gid_t gid, char **why)
{
    if (setgroups(0, NULL) != 0) {
        *why = xasprintf("setgroups: %s", strerror(errno));
        return false;
    }
    if (setresgid(gid, gid, gid) != 0) {
        *why = xasprintf("setgid %u: %s", (unsigned)gid, strerror(errno));
        return false;
    }
    if (setresuid(uid, uid, uid) != 0) {
        *why = xasprintf("setuid %u: %s", (unsigned)uid, strerror(errno));
        return false;
    }
    /* No way back: neither root's user nor its group. */
    if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0 || getuid() != uid ||
        geteuid() != uid || getgid() != gid || getegid() != gid) {
        *why = xasprintf("after switching to uid %u the process could become root again",
                         (unsigned)uid);
        return false;
    }
    return true;
}

bool priv_can_use(const char *path, uid_t uid, gid_t gid, bool want_write, char **why)
{
    struct stat sb;
    if (path == NULL || stat(path, &sb) != 0)
        return true;
    mode_t m = sb.st_mode;
    bool dir = S_ISDIR(m);
    mode_t r = sb.st_uid == uid ? S_IRUSR : sb.st_gid == gid ? S_IRGRP : S_IROTH;
    mode_t w = sb.st_uid == uid ? S_IWUSR : sb.st_gid == gid ? S_IWGRP : S_IWOTH;
    mode_t x = sb.st_uid == uid ? S_IXUSR : sb.st_gid == gid ? S_IXGRP : S_IXOTH;
    bool ok = (m & r) && (!want_write || (m & w)) && (!dir || (m & x));
    if (ok)
        return true;
    /* getpwuid's answer is overwritten by the next call: the owner's name is copied. */
    struct passwd *pw = getpwuid(sb.st_uid);
    char *owner = xstrdup(pw != NULL ? pw->pw_name : "?");
    pw = getpwuid(uid);
    *why = xasprintf("%s %s is owned by %s (uid %u) with mode %04o: user %s (uid %u) cannot %s "
                     "it; chown it to that user (or name its owner with --user)",
                     dir ? "the folder" : "the file", path, owner, (unsigned)sb.st_uid,
                     (unsigned)(m & 07777), pw != NULL ? pw->pw_name : "?", (unsigned)uid,
                     want_write ? "write" : "read");
    free(owner);
    return false;
}
