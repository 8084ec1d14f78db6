#include "auth/perm.h"

#include <stddef.h>
#include <string.h>

#include "util/codes.h"

_Static_assert(ROLE__MAX == 7, "enum role follows the roles of util/codes.c");

#define N   SCOPE_NONE
#define OWN SCOPE_OWN
#define TRN SCOPE_TRAINER
#define GRP SCOPE_GROUP
#define HRS SCOPE_HERS
#define ASG SCOPE_ASSIGNED
#define ORG SCOPE_ORG
#define RCV SCOPE_RECEIVING
#define CNS SCOPE_CONSENTED
#define ALL SCOPE_ALL

/* clang-format off */
static const enum scope table[ACT__MAX][ROLE__MAX] = {
    /*                        member rep  casew  superv provid analyst admin */
    [ACT_ME_READ]          = {ALL,   ALL, ALL,   ALL,   ALL,   ALL,    ALL},
    [ACT_USER_CREATE]      = {N,     N,   N,     N,     N,     N,      ALL},
    [ACT_USER_LIST]        = {N,     N,   N,     ORG,   N,     N,      ALL},
    [ACT_USER_APPROVE]     = {N,     N,   N,     ORG,   N,     N,      N},
    [ACT_USER_UPDATE]      = {N,     N,   N,     N,     N,     N,      ALL},
    [ACT_USER_CHANGES]     = {N,     N,   N,     ORG,   N,     N,      N},
    [ACT_TOTP_MANAGE]      = {ALL,   ALL, ALL,   ALL,   ALL,   ALL,    ALL},
    [ACT_TOTP_RESET]       = {N,     N,   N,     N,     N,     N,      N},
    [ACT_LOCATION_READ]    = {ALL,   ALL, ALL,   ALL,   ALL,   ALL,    ALL},
    [ACT_REFERENCE_READ]   = {ALL,   ALL, ALL,   ALL,   ALL,   ALL,    ALL},
    [ACT_GROUP_CREATE]     = {N,     N,   N,     N,     N,     N,      ALL},
    [ACT_GROUP_READ]       = {GRP,   GRP, ORG,   ORG,   N,     ALL,    ALL},
    [ACT_MEMBER_CREATE]    = {N,     GRP, N,     ORG,   N,     N,      ALL},
    [ACT_GROUP_UPDATE]     = {N,     N,   N,     ORG,   N,     N,      ALL},
    [ACT_MEMBER_UPDATE]    = {N,     GRP, N,     ORG,   N,     N,      ALL},
    [ACT_MEMBER_READ]      = {N,     GRP, ORG,   ORG,   N,     N,      ALL},
    [ACT_CASE_CREATE]      = {GRP,   GRP, ORG,   ORG,   N,     N,      N},
    [ACT_CASE_READ]        = {OWN,   GRP, ASG,   ORG,   N,     N,      N},
    [ACT_CASE_READ_DETAIL] = {N,     N,   ASG,   ORG,   N,     N,      N},
    [ACT_CASE_UPDATE]      = {N,     N,   ASG,   ORG,   N,     N,      N},
    [ACT_CASE_ASSIGN]      = {N,     N,   N,     ORG,   N,     N,      N},
    [ACT_CASE_CLOSE_REQUEST] = {N,   N,   HRS,   ORG,   N,     N,      N},
    [ACT_CASE_CLOSE_APPROVE] = {N,   N,   N,     ORG,   N,     N,      N},
    [ACT_CASE_REOPEN]      = {N,     N,   N,     ORG,   N,     N,      N},
    [ACT_CASE_QUEUE]       = {N,     N,   N,     ORG,   N,     N,      N},
    [ACT_CASE_HISTORY]     = {N,     N,   N,     ORG,   N,     N,      N},
    [ACT_CASE_ERASE]       = {N,     N,   N,     ORG,   N,     N,      N},
    [ACT_INCIDENT_CREATE]  = {N,     N,   ASG,   ORG,   N,     N,      N},
    [ACT_SCREENING_CREATE] = {N,     N,   ASG,   ORG,   N,     N,      N},
    [ACT_NOTE_CREATE]      = {N,     N,   ASG,   ORG,   N,     N,      N},
    [ACT_NOTE_READ]        = {N,     N,   ASG,   ORG,   N,     N,      N},
    [ACT_TASK_CREATE]      = {N,     N,   ASG,   ORG,   N,     N,      N},
    [ACT_TASK_READ]        = {N,     N,   ASG,   ORG,   N,     N,      N},
    [ACT_TASK_UPDATE]      = {N,     N,   ASG,   ORG,   N,     N,      N},
    [ACT_SERVICE_READ]     = {ALL,   ALL, ALL,   ALL,   ALL,   ALL,    ALL},
    [ACT_SERVICE_MANAGE]   = {N,     N,   N,     N,     N,     N,      ALL},
    [ACT_ORG_LIST]         = {ALL,   ALL, ALL,   ALL,   ALL,   ALL,    ALL},
    [ACT_CONSENT_READ]     = {N,     N,   ASG,   ORG,   N,     N,      N},
    [ACT_CONSENT_RECORD]   = {N,     N,   ASG,   ORG,   N,     N,      N},
    [ACT_REFERRAL_CREATE]  = {N,     N,   ASG,   ORG,   N,     N,      N},
    [ACT_REFERRAL_OVERRIDE] = {N,    N,   N,     ORG,   N,     N,      N},
    [ACT_REFERRAL_READ]    = {N,     N,   ASG,   ORG,   RCV,   N,      N},
    [ACT_REFERRAL_IDENTITY] = {N,    N,   ASG,   ORG,   CNS,   N,      N},
    [ACT_REFERRAL_RESPOND] = {N,     N,   N,     N,     RCV,   N,      N},
    [ACT_REFERRAL_WITHDRAW] = {N,    N,   ASG,   ORG,   N,     N,      N},
    [ACT_REFERRAL_INBOX]   = {N,     N,   N,     N,     RCV,   N,      N},
    [ACT_SLIP_READ]        = {N,     N,   ASG,   ORG,   N,     N,      N},
    [ACT_SLIP_VERIFY]      = {N,     N,   N,     N,     RCV,   N,      N},
    [ACT_OUTREACH_CREATE]  = {GRP,   GRP, ORG,   ORG,   N,     N,      N},
    [ACT_OUTREACH_READ]    = {GRP,   GRP, ORG,   ORG,   N,     N,      ALL},
    [ACT_AGENCY_READ]      = {ALL,   ALL, ALL,   ALL,   ALL,   ALL,    ALL},
    /* Advisers (members, representatives), case workers and supervisors
     * warn with it; the analyst reads suppressed aggregates by her role. A
     * provider sees only the referrals sent to her, and the admin no case
     * content: neither needs figures drawn from case screenings. */
    [ACT_AGENCY_RISK]      = {ALL,   ALL, ALL,   ALL,   N,     ALL,    N},
    [ACT_ADVICE_CREATE]    = {GRP,   GRP, ORG,   ORG,   N,     N,      N},
    [ACT_ADVICE_READ]      = {GRP,   GRP, ORG,   ORG,   N,     N,      ALL},
    [ACT_ADVICE_UPDATE]    = {GRP,   GRP, ORG,   ORG,   N,     N,      N},
    [ACT_TRAINING_CREATE]  = {TRN,   GRP, ORG,   ORG,   N,     N,      N},
    [ACT_TRAINING_READ]    = {GRP,   GRP, ORG,   ORG,   N,     N,      ALL},
    [ACT_TRAINING_FIGURES] = {N,     GRP, ORG,   ORG,   N,     N,      ALL},
    [ACT_AUDIT_READ]       = {N,     N,   N,     ORG,   N,     N,      ALL},
    [ACT_AUDIT_VERIFY]     = {N,     N,   N,     ALL,   N,     N,      ALL},
    /* issue 10: suppressed aggregates of the whole deployment (one published
     * set, so that no two readers see differently suppressed figures); the
     * incident-level export of the cases within reach; the Incident
     * Recorder workbook (case codes) for the NGO's supervisors only */
    [ACT_REPORT_READ]      = {N,     N,   N,     ALL,   N,     ALL,    ALL},
    [ACT_EXPORT_INCIDENTS] = {N,     N,   N,     ORG,   N,     ALL,    N},
    [ACT_EXPORT_RECORDER]  = {N,     N,   N,     ORG,   N,     N,      N},
};
/* clang-format on */

enum scope perm_scope(enum role role, enum action action)
{
    if ((int)role < 0 || role >= ROLE__MAX || (int)action < 0 || action >= ACT__MAX)
        return SCOPE_NONE;
    return table[action][role];
}

bool perm_enrol_only_allows(enum action action)
{
    return action == ACT_ME_READ || action == ACT_TOTP_MANAGE;
}

const char *role_code(enum role role)
{
    return code_name(LIST_ROLE, (int)role);
}

bool role_parse(const char *s, enum role *out)
{
    int r = code_parse(LIST_ROLE, s);
    if (r < 0 || r >= ROLE__MAX)
        return false;
    *out = (enum role)r;
    return true;
}
