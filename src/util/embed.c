#include "util/embed.h"

#include <string.h>

const struct embedded_file *embed_find(const char *name)
{
    for (unsigned long i = 0; i < embedded_count; i++)
        if (strcmp(embedded_files[i].name, name) == 0)
            return &embedded_files[i];
    return NULL;
}
