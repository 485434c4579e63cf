/* The libsrtp 3 calls of mediasoup 3.27.1 over libsrtp2 2.5: see include/srtp.h. */
#define REVOLUTION_SRTP3_COMPAT_IMPL
#include "srtp.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

struct revolution_srtp3_policy {
    srtp_ssrc_t ssrc;
    bool has_profile;
    srtp_profile_t profile;
    bool has_key;
    unsigned char key[SRTP_MAX_KEY_LEN]; /* master key followed by master salt, as libsrtp2 wants it */
    size_t key_len;
    size_t salt_len;
    size_t window_size;
    bool allow_repeat_tx;
};

srtp_err_status_t revolution_srtp3_policy_create(srtp_policy_t *policy)
{
    if (policy == NULL) {
        return srtp_err_status_bad_param;
    }
    *policy = calloc(1, sizeof(**policy));
    return *policy == NULL ? srtp_err_status_alloc_fail : srtp_err_status_ok;
}

void revolution_srtp3_policy_destroy(srtp_policy_t policy)
{
    if (policy != NULL) {
        memset(policy->key, 0, sizeof(policy->key)); /* key material */
        free(policy);
    }
}

srtp_err_status_t revolution_srtp3_policy_set_ssrc(srtp_policy_t policy, srtp_ssrc_t ssrc)
{
    if (policy == NULL || (ssrc.type != ssrc_specific && ssrc.type != ssrc_any_inbound &&
                           ssrc.type != ssrc_any_outbound)) {
        return srtp_err_status_bad_param;
    }
    policy->ssrc = ssrc;
    return srtp_err_status_ok;
}

srtp_err_status_t revolution_srtp3_policy_set_profile(srtp_policy_t policy, srtp_profile_t profile)
{
    srtp_crypto_policy_t probe;
    srtp_err_status_t err;

    if (policy == NULL) {
        return srtp_err_status_bad_param;
    }
    /* Fails (bad_param) for a profile this libsrtp2 build lacks, e.g. GCM without a crypto backend. */
    err = srtp_crypto_policy_set_from_profile_for_rtp(&probe, profile);
    if (err != srtp_err_status_ok) {
        return err;
    }
    policy->profile = profile;
    policy->has_profile = true;
    return srtp_err_status_ok;
}

srtp_err_status_t revolution_srtp3_policy_add_key(srtp_policy_t policy,
                                                  const uint8_t *key,
                                                  size_t key_len,
                                                  const uint8_t *salt,
                                                  size_t salt_len,
                                                  const uint8_t *mki,
                                                  size_t mki_len)
{
    (void)mki;
    if (policy == NULL || key == NULL || salt == NULL || key_len + salt_len > SRTP_MAX_KEY_LEN) {
        return srtp_err_status_bad_param;
    }
    /* Without MKI (all mediasoup uses) a policy holds exactly one key. */
    if (mki_len != 0 || policy->has_key) {
        return srtp_err_status_bad_param;
    }
    memcpy(policy->key, key, key_len);
    memcpy(policy->key + key_len, salt, salt_len);
    policy->key_len = key_len;
    policy->salt_len = salt_len;
    policy->has_key = true;
    return srtp_err_status_ok;
}

srtp_err_status_t revolution_srtp3_policy_set_window_size(srtp_policy_t policy, size_t window_size)
{
    if (policy == NULL || (window_size != 0 && (window_size < 64 || window_size >= 0x8000))) {
        return srtp_err_status_bad_param;
    }
    policy->window_size = window_size;
    return srtp_err_status_ok;
}

srtp_err_status_t revolution_srtp3_policy_set_allow_repeat_tx(srtp_policy_t policy, bool allow)
{
    if (policy == NULL) {
        return srtp_err_status_bad_param;
    }
    policy->allow_repeat_tx = allow;
    return srtp_err_status_ok;
}

srtp_err_status_t revolution_srtp3_create(srtp_t *session, const srtp_policy_t policy)
{
    srtp2_policy_t p;
    srtp_err_status_t err;

    if (session == NULL) {
        return srtp_err_status_bad_param;
    }
    if (policy == NULL) {
        return srtp_create(session, NULL);
    }
    if (!policy->has_profile || !policy->has_key || policy->ssrc.type == ssrc_undefined ||
        policy->key_len != srtp_profile_get_master_key_length(policy->profile) ||
        policy->salt_len != srtp_profile_get_master_salt_length(policy->profile)) {
        return srtp_err_status_bad_param;
    }

    memset(&p, 0, sizeof(p));
    p.ssrc = policy->ssrc;
    err = srtp_crypto_policy_set_from_profile_for_rtp(&p.rtp, policy->profile);
    if (err != srtp_err_status_ok) {
        return err;
    }
    err = srtp_crypto_policy_set_from_profile_for_rtcp(&p.rtcp, policy->profile);
    if (err != srtp_err_status_ok) {
        return err;
    }
    p.key = policy->key; /* libsrtp2 derives the session keys in srtp_create and keeps no pointer to it */
    p.window_size = policy->window_size;
    p.allow_repeat_tx = policy->allow_repeat_tx ? 1 : 0;
    p.next = NULL;

    return srtp_create(session, &p);
}

/*
 * libsrtp2 works in place and may append up to `trailer` octets; libsrtp 3 reads `in` and writes `out`
 * (which may be the same buffer) of capacity *out_len. Both lengths must fit libsrtp2's int.
 */
static srtp_err_status_t copy_in(const uint8_t *in, size_t in_len, uint8_t *out, const size_t *out_len,
                                 size_t trailer)
{
    if (in == NULL || out == NULL || out_len == NULL || in_len > (size_t)INT_MAX - trailer) {
        return srtp_err_status_bad_param;
    }
    if (*out_len < in_len + trailer) {
        return srtp_err_status_buffer_small;
    }
    if (out != in) {
        memmove(out, in, in_len);
    }
    return srtp_err_status_ok;
}

srtp_err_status_t revolution_srtp3_protect(srtp_t ctx,
                                           const uint8_t *rtp,
                                           size_t rtp_len,
                                           uint8_t *srtp,
                                           size_t *srtp_len,
                                           size_t mki_index)
{
    int len = (int)rtp_len;
    srtp_err_status_t err = copy_in(rtp, rtp_len, srtp, srtp_len, SRTP_MAX_TRAILER_LEN);

    (void)mki_index; /* ignored without MKI, as in libsrtp 3 */
    if (err != srtp_err_status_ok) {
        return err;
    }
    err = srtp_protect(ctx, srtp, &len);
    if (err == srtp_err_status_ok) {
        *srtp_len = (size_t)len;
    }
    return err;
}

srtp_err_status_t revolution_srtp3_unprotect(srtp_t ctx,
                                             const uint8_t *srtp,
                                             size_t srtp_len,
                                             uint8_t *rtp,
                                             size_t *rtp_len)
{
    int len = (int)srtp_len;
    srtp_err_status_t err = copy_in(srtp, srtp_len, rtp, rtp_len, 0);

    if (err != srtp_err_status_ok) {
        return err;
    }
    err = srtp_unprotect(ctx, rtp, &len);
    if (err == srtp_err_status_ok) {
        *rtp_len = (size_t)len;
    }
    return err;
}

srtp_err_status_t revolution_srtp3_protect_rtcp(srtp_t ctx,
                                                const uint8_t *rtcp,
                                                size_t rtcp_len,
                                                uint8_t *srtcp,
                                                size_t *srtcp_len,
                                                size_t mki_index)
{
    int len = (int)rtcp_len;
    srtp_err_status_t err = copy_in(rtcp, rtcp_len, srtcp, srtcp_len, SRTP_MAX_SRTCP_TRAILER_LEN);

    (void)mki_index;
    if (err != srtp_err_status_ok) {
        return err;
    }
    err = srtp_protect_rtcp(ctx, srtcp, &len);
    if (err == srtp_err_status_ok) {
        *srtcp_len = (size_t)len;
    }
    return err;
}

srtp_err_status_t revolution_srtp3_unprotect_rtcp(srtp_t ctx,
                                                  const uint8_t *srtcp,
                                                  size_t srtcp_len,
                                                  uint8_t *rtcp,
                                                  size_t *rtcp_len)
{
    int len = (int)srtcp_len;
    srtp_err_status_t err = copy_in(srtcp, srtcp_len, rtcp, rtcp_len, 0);

    if (err != srtp_err_status_ok) {
        return err;
    }
    err = srtp_unprotect_rtcp(ctx, rtcp, &len);
    if (err == srtp_err_status_ok) {
        *rtcp_len = (size_t)len;
    }
    return err;
}

srtp_err_status_t revolution_srtp3_stream_remove(srtp_t session, uint32_t ssrc)
{
    return srtp_remove_stream(session, ssrc);
}
