/* GET /audit (admin, supervisor): the audit log's signed head (its entry,
 * when and by which server it was signed) and whether the chain verifies
 * against it, checked as the page is asked for (domain/audit_log.h). */
#include <stdio.h>

#include "domain/audit_log.h"
#include "web/page.h"

void web_audit(struct req *r, struct resp *w)
{
    struct ctx cx = page_ctx(r);
    struct audit_report rep;
    struct buf *b = &w->body;
    enum err e = audit_log_verify(&cx, &rep);
    if (e != ERR_OK) {
        page_fail(r, w, e);
        return;
    }
    page_begin_static(r, w, tr(r, MSG_AUDIT_TITLE), "/audit");
    h_raw(b, "<h1>");
    h_text(b, tr(r, MSG_AUDIT_TITLE));
    h_raw(b, "</h1>");
    const struct audit_check *c = &rep.check;
    char n[24];
    if (c->ok) {
        snprintf(n, sizeof n, "%lld", (long long)c->entries);
        h_raw(b, "<p class=\"ok\" id=\"audit-state\" data-ok=\"true\">");
        h_text_sub(b, tr(r, MSG_AUDIT_INTACT), n);
    } else {
        snprintf(n, sizeof n, "%lld", (long long)c->first_bad);
        h_raw(b, "<p class=\"error\" id=\"audit-state\" data-ok=\"false\">");
        if (c->first_bad > 0)
            h_text_sub(b, tr(r, MSG_AUDIT_BROKEN), n);
        else
            h_text(b, tr(r, MSG_AUDIT_BAD_HEAD_FILE));
    }
    h_raw(b, "</p>");
    if (!rep.has_head) {
        h_para(b, NULL, "audit-head", NULL, tr(r, MSG_AUDIT_NO_HEAD));
        page_end(r, w);
        return;
    }
    h_raw(b, "<dl id=\"audit-head\"><dt>");
    h_text(b, tr(r, MSG_AUDIT_HEAD_SEQ));
    h_raw(b, "</dt><dd id=\"head-seq\">");
    h_int(b, (long)rep.newest.seq);
    h_raw(b, "</dd><dt>");
    h_text(b, tr(r, MSG_AUDIT_HEAD_AT));
    h_raw(b, "</dt><dd id=\"head-at\">");
    h_datetime(b, rep.newest.at);
    h_raw(b, "</dd><dt>");
    h_text(b, tr(r, MSG_AUDIT_HEAD_SERVER));
    h_raw(b, "</dt><dd id=\"head-server\">");
    h_text(b, rep.newest.server);
    h_raw(b, "</dd><dt>");
    h_text(b, tr(r, MSG_AUDIT_HEADS));
    h_raw(b, "</dt><dd id=\"head-count\">");
    h_int(b, (long)rep.head_files);
    h_raw(b, "</dd></dl>");
    page_end(r, w);
}
