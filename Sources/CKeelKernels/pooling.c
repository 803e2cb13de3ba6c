// 2 × 2 max pooling with stride 2 (no padding, no dilation): the reference CNN's pooling. Each output is a
// two-round tournament in scan order — (a, b) and (c, d) of its window, then the two winners — where the later
// element wins only when it is larger, so the value and the index always come from the same element and ties
// keep the first. With `relu`, every value is first replaced by relu(v) = v < 0 ? 0 : v (the ReLU kernel's
// formula; −0 stays), so the result is exactly max pooling of relu(x). Every level computes exactly that
// (comparisons and selects only).
//
// The tournament is for numbers: the kernel also notes whether any value it read was a NaN (in the same pass,
// instead of a separate one) and returns 1 if so; the caller then pools those planes again on its NaN-aware
// path (NaN wins over numbers, as in PyTorch).
#include "CKeelKernels.h"
#include "dispatch.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define KEEL_X86 1
#endif

/// relu(v) as the ReLU kernel computes it.
static inline float relu_of(float v) { return v < 0.0f ? 0.0f : v; }

/// One output: the window's top-left element at xp[top], rows w apart. Returns whether a value was a NaN.
static inline int window(const float *xp, long top, long w, int relu, float *y, int32_t *index) {
    float a = xp[top], b = xp[top + 1], c = xp[top + w], d = xp[top + w + 1];
    const int nan = (a != a) | (b != b) | (c != c) | (d != d);
    if (relu) {
        a = relu_of(a);
        b = relu_of(b);
        c = relu_of(c);
        d = relu_of(d);
    }
    const int first = b > a, second = d > c;
    const float m1 = first ? b : a, m2 = second ? d : c;
    const long i1 = first ? top + 1 : top, i2 = second ? top + w + 1 : top + w;
    const int last = m2 > m1;
    *y = last ? m2 : m1;
    *index = (int32_t)(last ? i2 : i1);
    return nan;
}

static int pool_portable(const float *x, long planes, long h, long w, long oh, long ow, int relu, float *y,
                         int32_t *indices) {
    int nan = 0;
    for (long plane = 0; plane < planes; plane++) {
        const float *xp = x + plane * h * w;
        float *yp = y + plane * oh * ow;
        int32_t *ip = indices + plane * oh * ow;
        for (long i = 0; i < oh; i++) {
            for (long j = 0; j < ow; j++) nan |= window(xp, 2 * i * w + 2 * j, w, relu, yp + i * ow + j, ip + i * ow + j);
        }
    }
    return nan;
}

#ifdef KEEL_X86
/// relu(v) lane by lane (v < 0 → 0; NaN and −0 stay).
__attribute__((target("avx2,fma"), always_inline))
static inline __m256 relu8(__m256 v) {
    return _mm256_blendv_ps(v, _mm256_setzero_ps(), _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ));
}

/// Lanes 0 ..< count of a mask (count may be ≤ 0 or ≥ 8).
__attribute__((target("avx2,fma"), always_inline))
static inline __m256i first_lanes(long count) {
    const long k = count < 0 ? 0 : count > 8 ? 8 : count;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)k), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/// The even and odd elements of the 16 floats in lo, hi, each in order.
__attribute__((target("avx2,fma"), always_inline))
static inline void deinterleave(__m256 lo, __m256 hi, __m256 *even, __m256 *odd) {
    *even = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0x88)), 0xD8));
    *odd = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0xDD)), 0xD8));
}

/// The even and odd elements of the first 2·n floats at p (n ≤ 8; the lanes past n are +0), each in order, reading
/// nothing past them.
__attribute__((target("avx2,fma"), always_inline))
static inline void split_first_pairs(const float *p, long n, __m256 *even, __m256 *odd) {
    if (n == 8) {
        deinterleave(_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8), even, odd);
    } else {
        deinterleave(_mm256_maskload_ps(p, first_lanes(2 * n)), _mm256_maskload_ps(p + 8, first_lanes(2 * n - 8)), even, odd);
    }
}

/// Eight outputs of a row at a time, the row's last (fewer) ones through masked loads.
__attribute__((target("avx2,fma")))
static int pool_avx2(const float *x, long planes, long h, long w, long oh, long ow, int relu, float *y, int32_t *indices) {
    const __m256i lane2 = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14);
    __m256 unordered = _mm256_setzero_ps();
    for (long plane = 0; plane < planes; plane++) {
        const float *xp = x + plane * h * w;
        float *yp = y + plane * oh * ow;
        int32_t *ip = indices + plane * oh * ow;
        for (long i = 0; i < oh; i++) {
            const float *r0 = xp + 2 * i * w, *r1 = r0 + w;
            // 2·ow ≤ w: a block's inputs end inside the row.
            for (long j = 0; j < ow; j += 8) {
                const long n = ow - j < 8 ? ow - j : 8;
                __m256 a, b, c, d;
                split_first_pairs(r0 + 2 * j, n, &a, &b);
                split_first_pairs(r1 + 2 * j, n, &c, &d);
                unordered = _mm256_or_ps(unordered, _mm256_or_ps(_mm256_cmp_ps(a, b, _CMP_UNORD_Q), _mm256_cmp_ps(c, d, _CMP_UNORD_Q)));
                if (relu) {
                    a = relu8(a);
                    b = relu8(b);
                    c = relu8(c);
                    d = relu8(d);
                }
                const __m256i top = _mm256_add_epi32(_mm256_set1_epi32((int)(2 * i * w + 2 * j)), lane2);
                const __m256 first = _mm256_cmp_ps(b, a, _CMP_GT_OQ), second = _mm256_cmp_ps(d, c, _CMP_GT_OQ);
                const __m256 m1 = _mm256_blendv_ps(a, b, first), m2 = _mm256_blendv_ps(c, d, second);
                const __m256i i1 = _mm256_sub_epi32(top, _mm256_castps_si256(first));  // true lanes are −1
                const __m256i i2 = _mm256_sub_epi32(_mm256_add_epi32(top, _mm256_set1_epi32((int)w)), _mm256_castps_si256(second));
                const __m256 last = _mm256_cmp_ps(m2, m1, _CMP_GT_OQ);
                const __m256 value = _mm256_blendv_ps(m1, m2, last);
                const __m256i index = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(i1), _mm256_castsi256_ps(i2), last));
                // A short block's extra lanes land on the outputs that follow (the next rows'), which are written
                // after it; only a block that would reach past the last output stores masked (slow on AMD cores).
                if (n == 8 || (plane * oh + i) * ow + j + 8 <= planes * oh * ow) {
                    _mm256_storeu_ps(yp + i * ow + j, value);
                    _mm256_storeu_si256((__m256i *)(ip + i * ow + j), index);
                } else {
                    const __m256i mask = first_lanes(n);
                    _mm256_maskstore_ps(yp + i * ow + j, mask, value);
                    _mm256_maskstore_epi32((int *)(ip + i * ow + j), mask, index);
                }
            }
        }
    }
    return _mm256_movemask_ps(unordered) != 0;
}
#endif

int keel_maxpool2x2(const float *x, long planes, long h, long w, long oh, long ow, int relu, float *y, int32_t *indices) {
#ifdef KEEL_X86
    const int variant = keel_kernel_variant();
    if (variant == KEEL_VARIANT_AVX2 || variant == KEEL_VARIANT_AVX512) {
        return pool_avx2(x, planes, h, w, oh, ow, relu, y, indices);
    }
#endif
    return pool_portable(x, planes, h, w, oh, ow, relu, y, indices);
}
