// 2 × 2 max pooling with stride 2 (no padding, no dilation) of NaN-free planes: the reference CNN's pooling.
// Each output is a two-round tournament in scan order — (a, b) and (c, d) of its window, then the two
// winners — where the later element wins only when it is larger, so the value and the index always come from
// the same element and ties keep the first. Every level computes exactly that (comparisons and selects only).
#include "CKeelKernels.h"
#include "dispatch.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define KEEL_X86 1
#endif

/// One output: the window's top-left element at xp[top], rows w apart.
static inline void window(const float *xp, long top, long w, float *y, int32_t *index) {
    const float a = xp[top], b = xp[top + 1], c = xp[top + w], d = xp[top + w + 1];
    const int first = b > a, second = d > c;
    const float m1 = first ? b : a, m2 = second ? d : c;
    const long i1 = first ? top + 1 : top, i2 = second ? top + w + 1 : top + w;
    const int last = m2 > m1;
    *y = last ? m2 : m1;
    *index = (int32_t)(last ? i2 : i1);
}

static void pool_portable(const float *x, long planes, long h, long w, long oh, long ow, float *y, int32_t *indices) {
    for (long plane = 0; plane < planes; plane++) {
        const float *xp = x + plane * h * w;
        float *yp = y + plane * oh * ow;
        int32_t *ip = indices + plane * oh * ow;
        for (long i = 0; i < oh; i++) {
            for (long j = 0; j < ow; j++) window(xp, 2 * i * w + 2 * j, w, yp + i * ow + j, ip + i * ow + j);
        }
    }
}

#ifdef KEEL_X86
/// The even and odd elements of the 16 floats at p, each in order.
__attribute__((target("avx2,fma"), always_inline))
static inline void split_pairs(const float *p, __m256 *even, __m256 *odd) {
    const __m256 lo = _mm256_loadu_ps(p), hi = _mm256_loadu_ps(p + 8);
    *even = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0x88)), 0xD8));
    *odd = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0xDD)), 0xD8));
}

/// Eight outputs of a row at a time; the rest of the row one by one.
__attribute__((target("avx2,fma")))
static void pool_avx2(const float *x, long planes, long h, long w, long oh, long ow, float *y, int32_t *indices) {
    const __m256i lane2 = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14);
    for (long plane = 0; plane < planes; plane++) {
        const float *xp = x + plane * h * w;
        float *yp = y + plane * oh * ow;
        int32_t *ip = indices + plane * oh * ow;
        for (long i = 0; i < oh; i++) {
            const float *r0 = xp + 2 * i * w, *r1 = r0 + w;
            long j = 0;
            // 16 inputs per row per block: the block must end inside the row (2j + 16 ≤ w).
            for (; 2 * j + 16 <= w && j + 8 <= ow; j += 8) {
                __m256 a, b, c, d;
                split_pairs(r0 + 2 * j, &a, &b);
                split_pairs(r1 + 2 * j, &c, &d);
                const __m256i top = _mm256_add_epi32(_mm256_set1_epi32((int)(2 * i * w + 2 * j)), lane2);
                const __m256 first = _mm256_cmp_ps(b, a, _CMP_GT_OQ), second = _mm256_cmp_ps(d, c, _CMP_GT_OQ);
                const __m256 m1 = _mm256_blendv_ps(a, b, first), m2 = _mm256_blendv_ps(c, d, second);
                const __m256i i1 = _mm256_sub_epi32(top, _mm256_castps_si256(first));  // true lanes are −1
                const __m256i i2 = _mm256_sub_epi32(_mm256_add_epi32(top, _mm256_set1_epi32((int)w)), _mm256_castps_si256(second));
                const __m256 last = _mm256_cmp_ps(m2, m1, _CMP_GT_OQ);
                _mm256_storeu_ps(yp + i * ow + j, _mm256_blendv_ps(m1, m2, last));
                _mm256_storeu_si256((__m256i *)(ip + i * ow + j),
                                    _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(i1), _mm256_castsi256_ps(i2), last)));
            }
            for (; j < ow; j++) window(xp, 2 * i * w + 2 * j, w, yp + i * ow + j, ip + i * ow + j);
        }
    }
}
#endif

void keel_maxpool2x2(const float *x, long planes, long h, long w, long oh, long ow, float *y, int32_t *indices) {
#ifdef KEEL_X86
    const int variant = keel_kernel_variant();
    if (variant == KEEL_VARIANT_AVX2 || variant == KEEL_VARIANT_AVX512) {
        pool_avx2(x, planes, h, w, oh, ow, y, indices);
        return;
    }
#endif
    pool_portable(x, planes, h, w, oh, ow, y, indices);
}
