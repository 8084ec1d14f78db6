/* The JSON API of API.md, version 1: its route table. Handlers are thin:
 * decode the declared fields, call one domain function, encode. */
#ifndef CBPN_API_API_H
#define CBPN_API_API_H

#include <stddef.h>

#include "http/http.h"

extern const struct route api_routes[];
extern const size_t api_nroutes;

#endif
