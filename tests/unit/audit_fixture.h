/* Audit keys for the tests: audit_append() needs the process's keys
 * (audit_use_keys), which a command or the server loads from the audit key
 * file beside the data key. One set per test process. */
#ifndef CBPN_TEST_AUDIT_FIXTURE_H
#define CBPN_TEST_AUDIT_FIXTURE_H

#include "audit/audit.h"
#include "crypto/crypto.h"

static inline void test_audit_keys(void)
{
    static struct auditkeys *keys;
    if (keys == NULL && crypto_init()) {
        keys = auditkeys_generate(0);
        audit_use_keys(keys);
    }
}

#endif
