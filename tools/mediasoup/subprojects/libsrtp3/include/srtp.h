/*
 * The libsrtp 3 API that mediasoup 3.27.1 uses (versatica/libsrtp 3.0.0-beta: policy handles, out-of-place
 * srtp_protect/srtp_unprotect with size_t lengths, srtp_stream_remove), implemented over Debian's libsrtp2
 * (2.5, whose crypto backend is NSS: all four suites mediasoup offers, AES-CM-128 with HMAC-SHA1-80/32 and
 * AEAD-AES-128/256-GCM, are available). The functions live in srtp3_compat.c under revolution_srtp3_* names;
 * the libsrtp 3 names are macros onto them, so nothing clashes with libsrtp2's own symbols.
 *
 * Not provided (mediasoup does not use them): MKI, cryptex, encrypted header extensions, srtp_update,
 * srtp_stream_add, srtp_policy_clone/validate/get_*.
 */
#ifndef REVOLUTION_SRTP3_COMPAT_H
#define REVOLUTION_SRTP3_COMPAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* libsrtp2's srtp_policy_t is a struct; in libsrtp 3 it is a handle. Libsrtp2's is kept as srtp2_policy_t. */
#define srtp_policy_t srtp2_policy_t
#include <srtp2/srtp.h>
#undef srtp_policy_t

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes libsrtp 3 added after srtp_err_status_pkt_idx_adv (27). */
#define srtp_err_status_buffer_small ((srtp_err_status_t)28)
#define srtp_err_status_cryptex_err ((srtp_err_status_t)29)
#define srtp_err_status_direction_mismatch ((srtp_err_status_t)30)

/* libsrtp 3's bound on what srtp_protect_rtcp() appends: SRTCP index, tag and MKI. */
#ifndef SRTP_MAX_SRTCP_TRAILER_LEN
#define SRTP_MAX_SRTCP_TRAILER_LEN (4 + SRTP_MAX_TAG_LEN + SRTP_MAX_MKI_LEN)
#endif

typedef struct revolution_srtp3_policy *srtp_policy_t;

srtp_err_status_t revolution_srtp3_policy_create(srtp_policy_t *policy);
void revolution_srtp3_policy_destroy(srtp_policy_t policy);
srtp_err_status_t revolution_srtp3_policy_set_ssrc(srtp_policy_t policy, srtp_ssrc_t ssrc);
srtp_err_status_t revolution_srtp3_policy_set_profile(srtp_policy_t policy, srtp_profile_t profile);
srtp_err_status_t revolution_srtp3_policy_add_key(srtp_policy_t policy,
                                                  const uint8_t *key,
                                                  size_t key_len,
                                                  const uint8_t *salt,
                                                  size_t salt_len,
                                                  const uint8_t *mki,
                                                  size_t mki_len);
srtp_err_status_t revolution_srtp3_policy_set_window_size(srtp_policy_t policy, size_t window_size);
srtp_err_status_t revolution_srtp3_policy_set_allow_repeat_tx(srtp_policy_t policy, bool allow);

srtp_err_status_t revolution_srtp3_create(srtp_t *session, const srtp_policy_t policy);
srtp_err_status_t revolution_srtp3_protect(srtp_t ctx,
                                           const uint8_t *rtp,
                                           size_t rtp_len,
                                           uint8_t *srtp,
                                           size_t *srtp_len,
                                           size_t mki_index);
srtp_err_status_t revolution_srtp3_unprotect(srtp_t ctx,
                                             const uint8_t *srtp,
                                             size_t srtp_len,
                                             uint8_t *rtp,
                                             size_t *rtp_len);
srtp_err_status_t revolution_srtp3_protect_rtcp(srtp_t ctx,
                                                const uint8_t *rtcp,
                                                size_t rtcp_len,
                                                uint8_t *srtcp,
                                                size_t *srtcp_len,
                                                size_t mki_index);
srtp_err_status_t revolution_srtp3_unprotect_rtcp(srtp_t ctx,
                                                  const uint8_t *srtcp,
                                                  size_t srtcp_len,
                                                  uint8_t *rtcp,
                                                  size_t *rtcp_len);
/*
 * ssrc as libsrtp2's srtp_remove_stream takes it: in network byte order. mediasoup calls
 * srtp_stream_remove(session, htonl(ssrc)), so its value is passed through unchanged.
 */
srtp_err_status_t revolution_srtp3_stream_remove(srtp_t session, uint32_t ssrc);

#ifndef REVOLUTION_SRTP3_COMPAT_IMPL
#define srtp_policy_create revolution_srtp3_policy_create
#define srtp_policy_destroy revolution_srtp3_policy_destroy
#define srtp_policy_set_ssrc revolution_srtp3_policy_set_ssrc
#define srtp_policy_set_profile revolution_srtp3_policy_set_profile
#define srtp_policy_add_key revolution_srtp3_policy_add_key
#define srtp_policy_set_window_size revolution_srtp3_policy_set_window_size
#define srtp_policy_set_allow_repeat_tx revolution_srtp3_policy_set_allow_repeat_tx
#define srtp_create revolution_srtp3_create
#define srtp_protect revolution_srtp3_protect
#define srtp_unprotect revolution_srtp3_unprotect
#define srtp_protect_rtcp revolution_srtp3_protect_rtcp
#define srtp_unprotect_rtcp revolution_srtp3_unprotect_rtcp
#define srtp_stream_remove revolution_srtp3_stream_remove
#endif

#ifdef __cplusplus
}
#endif

#endif
