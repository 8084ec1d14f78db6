/* Who may do what: the one permission table (role x action -> scope).
 * Every endpoint, page and command asks perm_scope() before it acts;
 * nothing is decided in a page or an endpoint alone. */
#ifndef CBPN_AUTH_PERM_H
#define CBPN_AUTH_PERM_H

#include <stdbool.h>

enum role {
    ROLE_MEMBER,
    ROLE_REPRESENTATIVE,
    ROLE_CASEWORKER,
    ROLE_SUPERVISOR,
    ROLE_PROVIDER,
    ROLE_ANALYST,
    ROLE_ADMIN,
    ROLE__MAX
};

enum action {
    ACT_ME_READ, /* own account */
    ACT_USER_CREATE,
    ACT_USER_LIST,
    ACT_USER_APPROVE,   /* approve an account an admin asked for (never one she asked for) */
    ACT_USER_UPDATE,    /* change an account's role, name, ties; deactivate, reactivate */
    ACT_USER_CHANGES,   /* the account changes of the caller's organization, from the audit log */
    ACT_TOTP_MANAGE,    /* enrol, confirm, remove one's own TOTP second factor */
    ACT_TOTP_RESET,     /* remove another account's TOTP (the local operator only) */
    ACT_LOCATION_READ,  /* the gazetteer */
    ACT_REFERENCE_READ, /* the safe-migration reference pages: channels, documents, hotlines */
    ACT_GROUP_CREATE,
    ACT_GROUP_READ,
    ACT_MEMBER_CREATE, /* add to a group's member list */
    ACT_MEMBER_READ,
    ACT_GROUP_UPDATE,     /* a group's name and place */
    ACT_MEMBER_UPDATE,    /* edit, deactivate, reactivate a member */
    ACT_CASE_CREATE,      /* report a concern */
    ACT_CASE_READ,        /* code, status, concerns, dates */
    ACT_CASE_READ_DETAIL, /* survivor details, summary, incidents, screenings, timeline */
    ACT_CASE_UPDATE,      /* intake and assessment (PATCH) */
    ACT_CASE_ASSIGN,      /* assign, transfer */
    ACT_CASE_CLOSE_REQUEST,
    ACT_CASE_CLOSE_APPROVE, /* never her own request */
    ACT_CASE_REOPEN,
    ACT_CASE_QUEUE,   /* the count of unassigned urgent cases on every page */
    ACT_CASE_HISTORY, /* who saw and changed a case, from the audit log */
    ACT_CASE_ERASE,   /* erase the survivor's identity on her request */
    ACT_INCIDENT_CREATE,
    ACT_SCREENING_CREATE,
    ACT_NOTE_CREATE,
    ACT_NOTE_READ,
    ACT_TASK_CREATE,
    ACT_TASK_READ,
    ACT_TASK_UPDATE,    /* mark done */
    ACT_SERVICE_READ,   /* the service directory */
    ACT_SERVICE_MANAGE, /* add and change its entries */
    ACT_ORG_LIST,       /* organizations, for pickers (consent scopes) */
    ACT_CONSENT_READ,   /* a case's consent records */
    ACT_CONSENT_RECORD, /* record a consent or a refusal; withdraw one */
    ACT_REFERRAL_CREATE,
    ACT_REFERRAL_OVERRIDE, /* refer a child at imminent risk without consent */
    ACT_REFERRAL_READ,     /* survivor code, sex, age band, concerns, urgency, reason, moves */
    ACT_REFERRAL_IDENTITY, /* names, phone, address, birth date on a referral */
    ACT_REFERRAL_RESPOND,  /* accept, decline, complete */
    ACT_REFERRAL_WITHDRAW, /* the sender takes it back */
    ACT_REFERRAL_INBOX,    /* the count of new referrals on every page */
    ACT_SLIP_READ,         /* the printable slip, with its verification code */
    ACT_SLIP_VERIFY,       /* check a slip's verification code */
    ACT_OUTREACH_CREATE,   /* record an outreach session of a group */
    ACT_OUTREACH_READ,     /* list outreach sessions */
    ACT_AGENCY_READ,       /* the recruitment agencies and their licences */
    /* An agency's figures: how many cases naming it had forced-labour or
     * trafficking indicators, and which (counts only, suppressed; every
     * organization's cases, so the scope is ALL or none). */
    ACT_AGENCY_RISK,
    ACT_ADVICE_CREATE,    /* record a safe-migration advice record of a group */
    ACT_ADVICE_READ,      /* list advice records, with the person advised */
    ACT_ADVICE_UPDATE,    /* mark an advice record's follow-up done */
    ACT_TRAINING_CREATE,  /* record a training given, with attendance and scores */
    ACT_TRAINING_READ,    /* list trainings, with who attended */
    ACT_TRAINING_FIGURES, /* coverage by topic and the cascade (who trained whom) */
    ACT_AUDIT_READ,       /* the audit log's entries (ids and codes only) */
    ACT_AUDIT_VERIFY,     /* verify the audit chain and see its signed head */
    ACT_REPORT_READ,      /* the indicators (suppressed aggregates), dashboard and spreadsheets */
    ACT_EXPORT_INCIDENTS, /* the de-identified, k-anonymous incident-level export */
    ACT_EXPORT_RECORDER,  /* the GBVIMS Incident Recorder-style workbook (case codes, not
                             k-anonymised) */
    ACT__MAX
};

/* How far an allowed action reaches: none, then the caller's own ties from
 * narrowest to widest, then what is addressed to her organization, then
 * everything. */
enum scope {
    SCOPE_NONE, /* refused */
    SCOPE_OWN,  /* records the caller made (cases she reported) */
    /* Records of the caller's network group, and only while her own member
     * record has the trainer network role (as the domain found it). */
    SCOPE_TRAINER,
    SCOPE_GROUP,    /* records of the caller's network group */
    SCOPE_HERS,     /* her organization's records assigned to her */
    SCOPE_ASSIGNED, /* her organization's records assigned to her or to nobody */
    SCOPE_ORG,      /* everything of the caller's organization */
    /* Records addressed to the caller's organization (a referral to one of
     * its services), whoever made them. */
    SCOPE_RECEIVING,
    /* SCOPE_RECEIVING, and only while the survivor's consent to share with
     * that organization, or its type of service, stands (DOMAIN.md §3). */
    SCOPE_CONSENTED,
    SCOPE_ALL, /* everything */
    SCOPE__MAX
};

/* The scope the table grants role for action (SCOPE_NONE when refused). */
enum scope perm_scope(enum role role, enum action action);
static inline bool perm_allows(enum role role, enum action action)
{
    return perm_scope(role, action) != SCOPE_NONE;
}

/* What an enrol_only session (auth/session.h) may still do: its own
 * account and its TOTP enrolment; every other action is refused. */
bool perm_enrol_only_allows(enum action action);

/* "member", "representative", ... Static storage; NULL for an invalid role. */
const char *role_code(enum role role);
/* Parses a role code; false when s is not one. */
bool role_parse(const char *s, enum role *out);

#endif
