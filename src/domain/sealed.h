/* Sealed fields: the associated data that binds each sealed column's blob
 * to its record, in one table, so a blob moved to another row or column
 * does not open. Every sealing and opening in the domain takes its ad
 * from here, and so does whatever checks sealed fields outside it (cbpn
 * migrate's verification). */
#ifndef CBPN_DOMAIN_SEALED_H
#define CBPN_DOMAIN_SEALED_H

enum sealed_field {
    SEALED_SURVIVOR_IDENTITY,    /* survivor.identity, by the case id */
    SEALED_CASE_SUMMARY,         /* cases.summary, by the case id */
    SEALED_EVENT_TEXT,           /* case_event.text, by the case id */
    SEALED_INCIDENT_DESCRIPTION, /* incident.description, by the incident id */
    SEALED_NOTE_BODY,            /* note.body, by the note id */
    SEALED_TASK_TITLE,           /* task.title, by the task id */
    SEALED_MEMBER_PHONE,         /* member.phone, by the member id */
    SEALED__MAX
};

/* The associated data of field f (a SEALED_* value) of the record id
 * (caller frees). */
char *sealed_ad(enum sealed_field f, const char *id);

#endif
