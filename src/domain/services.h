/* The service directory: what each organization offers, of which type
 * (DOMAIN.md §4), in which areas of the gazetteer, in which languages.
 * Every signed-in role reads it (ACT_SERVICE_READ); the operator keeps it
 * (ACT_SERVICE_MANAGE). */
#ifndef CBPN_DOMAIN_SERVICES_H
#define CBPN_DOMAIN_SERVICES_H

#include "domain/ctx.h"
#include "domain/fields.h"

#define SERVICE_AREAS_MAX     64
#define SERVICE_LANGUAGES_MAX 9

/* Declared in service_fields (a POST) and service_patch_fields (a PATCH:
 * version and what changes; organization_id stays). */
struct service_in {
    struct fields_sent sent;
    int version;
    const char *organization_id;
    const char *type;
    const char *name;
    const char *location_code;
    const char *areas[SERVICE_AREAS_MAX]; /* none: national */
    int nareas;
    const char *contact;
    const char *hours;
    const char *languages[SERVICE_LANGUAGES_MAX];
    int nlanguages;
    const char *eligibility;
};
extern const struct fieldset service_fields;
extern const struct fieldset service_patch_fields;
void service_in_init(struct service_in *in);

/* How near a service is to a place: it serves the village itself, its
 * commune, district, province, or the whole country. */
enum service_rank {
    RANK_VILLAGE,
    RANK_COMMUNE,
    RANK_DISTRICT,
    RANK_PROVINCE,
    RANK_NATIONAL,
    RANK_NONE /* does not serve the place */
};
/* The rank of a service with areas (a JSON array text of gazetteer codes)
 * for place code. */
enum service_rank service_rank(const struct places *pl, const char *areas, const char *code);

enum err service_create(const struct ctx *cx, const struct service_in *in, struct service_rec *out,
                        struct fielderrs *fe);
/* Applies what in sent at in->version; ERR_CONFLICT when stale. */
enum err service_update(const struct ctx *cx, const char *id, const struct service_in *in,
                        struct service_rec *out, struct fielderrs *fe);
/* The directory: of type (NULL: every type), by name; with location (a
 * gazetteer code, NULL: anywhere) only the services serving it, nearest
 * first. A bad type or location is a field error. */
enum err service_list(const struct ctx *cx, const char *type, const char *location,
                      struct service_rec **items, size_t *n, struct fielderrs *fe);

#endif
