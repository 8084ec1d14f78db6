/* The associated data of each sealed field (sealed.h). */
#include <stddef.h>
#include <stdlib.h>

#include "domain/sealed.h"
#include "util/alloc.h"

/* The suffix after the record id; NULL: the id alone (the first sealed
 * fields, kept so that what they sealed still opens). */
static const char *const suffixes[SEALED__MAX] = {
    [SEALED_SURVIVOR_IDENTITY] = NULL, [SEALED_CASE_SUMMARY] = "summary",
    [SEALED_EVENT_TEXT] = "event",     [SEALED_INCIDENT_DESCRIPTION] = "description",
    [SEALED_NOTE_BODY] = "body",       [SEALED_TASK_TITLE] = "title",
    [SEALED_MEMBER_PHONE] = NULL,
};

char *sealed_ad(enum sealed_field f, const char *id)
{
    if ((unsigned)f >= SEALED__MAX)
        abort(); /* a caller's bug: never seal under a made-up binding */
    const char *suffix = suffixes[f];
    return suffix != NULL ? xasprintf("%s/%s", id, suffix) : xstrdup(id);
}
