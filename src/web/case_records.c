/* The incidents and screenings on the case page. */
#include "web/case_page.h"

void case_records(struct req *r, struct resp *w, const struct case_view *v, int age)
{
    (void)r;
    (void)w;
    (void)v;
    (void)age;
}
