/*
 * gsc.h: the whole C ABI of the GameStream core. Include this one header; each area's
 * contract lives in its own header below.
 */
#ifndef GSC_H
#define GSC_H

#include "gsc_core.h"
#include "gsc_crypto.h"

/* The TLS client's header is written alongside this one; include it once it exists. */
#if defined(__has_include)
#if __has_include("gsc_tls.h")
#include "gsc_tls.h"
#endif
#endif

#endif /* GSC_H */
