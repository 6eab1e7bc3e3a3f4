/*
 * gsc.h: the whole C ABI of the GameStream core. Include this one header; each area's
 * contract lives in its own header below.
 */
#ifndef GSC_H
#define GSC_H

#include "gsc_core.h"
#include "gsc_crypto.h"
#include "gsc_crypto_gcm.h"
#include "gsc_session.h"
#include "gsc_tls.h"

#endif /* GSC_H */
