// Packing of GEMM operands into micro-panels (copies only, so it never changes the arithmetic), and the
// matrix transpose the convolution uses.
//
// A panel holds, for each depth index k, `width` values (mr rows of A or nr columns of B), zero beyond the
// matrix. When those values are consecutive in a stored row (A stored transposed, B as is) packing copies
// a piece of each row; otherwise it transposes, in 8 × 8 blocks with AVX2 where the level has it.
#include "CKeelKernels.h"
#include "dispatch.h"
#include <string.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define KEEL_X86 1
#endif

// ---------------------------------------------------------------------------------------------
// Dense blocks.

/// dst[k·width + i] = src[i·ld + k] for i < count (0 for count ≤ i < width), k < kc. Portable.
static void transpose_pack_portable(const float *src, long ld, long count, int width, long kc, float *dst) {
    for (long k = 0; k < kc; k++) {
        long i = 0;
        for (; i < count; i++) dst[i] = src[i * ld + k];
        for (; i < width; i++) dst[i] = 0.0f;
        dst += width;
    }
}

#ifdef KEEL_X86
/// The 8 × 8 transpose of v[0..7] in place (v[j] becomes the j-th column).
__attribute__((target("avx2,fma"), always_inline))
static inline void transpose8x8(__m256 v[8]) {
    const __m256 t0 = _mm256_unpacklo_ps(v[0], v[1]), t1 = _mm256_unpackhi_ps(v[0], v[1]);
    const __m256 t2 = _mm256_unpacklo_ps(v[2], v[3]), t3 = _mm256_unpackhi_ps(v[2], v[3]);
    const __m256 t4 = _mm256_unpacklo_ps(v[4], v[5]), t5 = _mm256_unpackhi_ps(v[4], v[5]);
    const __m256 t6 = _mm256_unpacklo_ps(v[6], v[7]), t7 = _mm256_unpackhi_ps(v[6], v[7]);
    const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    v[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
    v[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
    v[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
    v[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
    v[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
    v[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    v[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
    v[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

/// transpose_pack_portable in 8 × 8 blocks.
__attribute__((target("avx2,fma")))
static void transpose_pack_avx2(const float *src, long ld, long count, int width, long kc, float *dst) {
    for (int i0 = 0; i0 < width; i0 += 8) {
        const int lanes = width - i0 < 8 ? width - i0 : 8;
        const float *rows[8];
        for (int i = 0; i < 8; i++) rows[i] = (i0 + i < count && i < lanes) ? src + (i0 + i) * ld : NULL;
        float *out = dst + i0;
        long k = 0;
        if (lanes == 4 && rows[3] != NULL) {
            // Four full rows: a 4 × 8 transpose per 8 values of k, each k's four values one 128-bit store.
            for (; k + 8 <= kc; k += 8) {
                const __m256 r0 = _mm256_loadu_ps(rows[0] + k), r1 = _mm256_loadu_ps(rows[1] + k);
                const __m256 r2 = _mm256_loadu_ps(rows[2] + k), r3 = _mm256_loadu_ps(rows[3] + k);
                const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
                const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
                const __m256 u[4] = {_mm256_shuffle_ps(t0, t2, 0x44), _mm256_shuffle_ps(t0, t2, 0xEE),
                                     _mm256_shuffle_ps(t1, t3, 0x44), _mm256_shuffle_ps(t1, t3, 0xEE)};
                for (int j = 0; j < 4; j++) {
                    _mm_storeu_ps(out + (k + j) * width, _mm256_castps256_ps128(u[j]));
                    _mm_storeu_ps(out + (k + 4 + j) * width, _mm256_extractf128_ps(u[j], 1));
                }
            }
        }
        for (; k + 8 <= kc; k += 8) {
            __m256 v[8];
            for (int i = 0; i < 8; i++) v[i] = rows[i] ? _mm256_loadu_ps(rows[i] + k) : _mm256_setzero_ps();
            transpose8x8(v);
            for (int j = 0; j < 8; j++) {
                float *o = out + (k + j) * width;
                if (lanes == 8) {
                    _mm256_storeu_ps(o, v[j]);
                } else if (lanes == 6) {
                    _mm_storeu_ps(o, _mm256_castps256_ps128(v[j]));
                    _mm_storel_pi((__m64 *)(o + 4), _mm256_extractf128_ps(v[j], 1));
                } else if (lanes == 4) {
                    _mm_storeu_ps(o, _mm256_castps256_ps128(v[j]));
                } else {
                    float lane[8];
                    _mm256_storeu_ps(lane, v[j]);
                    for (int i = 0; i < lanes; i++) o[i] = lane[i];
                }
            }
        }
        for (; k < kc; k++) {
            float *o = out + k * width;
            for (int i = 0; i < lanes; i++) o[i] = rows[i] ? rows[i][k] : 0.0f;
        }
    }
}

/// keel_transpose in 8 × 8 blocks (partial ones at the edges through masks). Each group of 8 destination
/// rows is written from start to end before the next, so the writes stream.
__attribute__((target("avx2,fma")))
static void keel_transpose_avx2(const float *src, long lds, long rows, long cols, const float *add, int relu, float *dst,
                                long ldd) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (long c0 = 0; c0 < cols; c0 += 8) {
        const long cn = cols - c0 < 8 ? cols - c0 : 8;
        const __m256i columnMask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)cn), lane);
        __m256 bias[8];
        for (long j = 0; j < 8; j++) bias[j] = _mm256_set1_ps(add && j < cn ? add[c0 + j] : 0.0f);
        for (long r0 = 0; r0 < rows; r0 += 8) {
            const long rn = rows - r0 < 8 ? rows - r0 : 8;
            __m256 v[8];
            for (long i = 0; i < 8; i++) {
                const float *s = src + (r0 + i) * lds + c0;
                v[i] = i >= rn ? _mm256_setzero_ps() : (cn == 8 ? _mm256_loadu_ps(s) : _mm256_maskload_ps(s, columnMask));
            }
            transpose8x8(v);
            if (add) {
                for (long j = 0; j < cn; j++) v[j] = _mm256_add_ps(v[j], bias[j]);
            }
            if (relu) {
                // max(0, v) with 0 first: NaN and −0 come through as v (x < 0 ? 0 : x, as the ReLU kernel).
                for (long j = 0; j < cn; j++) v[j] = _mm256_max_ps(_mm256_setzero_ps(), v[j]);
            }
            if (rn == 8) {
                for (long j = 0; j < cn; j++) _mm256_storeu_ps(dst + (c0 + j) * ldd + r0, v[j]);
            } else {
                const __m256i rowMask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)rn), lane);
                for (long j = 0; j < cn; j++) _mm256_maskstore_ps(dst + (c0 + j) * ldd + r0, rowMask, v[j]);
            }
        }
    }
}
#endif

static void transpose_pack(const float *src, long ld, long count, int width, long kc, float *dst) {
#ifdef KEEL_X86
    const int variant = keel_kernel_variant();
    if (variant == KEEL_VARIANT_AVX2 || variant == KEEL_VARIANT_AVX512) {
        transpose_pack_avx2(src, ld, count, width, kc, dst);
        return;
    }
#endif
    transpose_pack_portable(src, ld, count, width, kc, dst);
}

/// dst[k·width + i] = src[k·ld + i] for i < count (0 for count ≤ i < width), k < kc.
static void copy_pack(const float *src, long ld, long count, int width, long kc, float *dst) {
    if (count == width) {
        // Fixed-size copies, so the compiler inlines them (a memcpy call per k costs more than the copy).
#define KEEL_COPY_ROWS(N)                                                                         \
        for (long k = 0; k < kc; k++) memcpy(dst + k * (N), src + k * ld, (N) * sizeof(float));   \
        return;
        switch (width) {
        case 4: KEEL_COPY_ROWS(4)
        case 6: KEEL_COPY_ROWS(6)
        case 12: KEEL_COPY_ROWS(12)
        case 16: KEEL_COPY_ROWS(16)
        case 32: KEEL_COPY_ROWS(32)
        default: break;
        }
#undef KEEL_COPY_ROWS
    }
    for (long k = 0; k < kc; k++) {
        const float *row = src + k * ld;
        long i = 0;
        for (; i < count; i++) dst[i] = row[i];
        for (; i < width; i++) dst[i] = 0.0f;
        dst += width;
    }
}

// ---------------------------------------------------------------------------------------------

void keel_pack_a(int transA, const float *A, long lda, long mc, long kc, int mr, float alpha, float *dst) {
    for (long i0 = 0; i0 < mc; i0 += mr) {
        const long rows = (mc - i0 < mr) ? mc - i0 : mr;
        if (transA) copy_pack(A + i0, lda, rows, mr, kc, dst);
        else transpose_pack(A + i0 * lda, lda, rows, mr, kc, dst);
        if (alpha != 1.0f) {
            for (long j = 0; j < kc * mr; j++) dst[j] *= alpha;
        }
        dst += kc * mr;
    }
}

void keel_pack_b(int transB, const float *B, long ldb, long kc, long nc, int nr, float *dst) {
    for (long j0 = 0; j0 < nc; j0 += nr) {
        const long cols = (nc - j0 < nr) ? nc - j0 : nr;
        if (transB) transpose_pack(B + j0 * ldb, ldb, cols, nr, kc, dst);
        else copy_pack(B + j0, ldb, cols, nr, kc, dst);
        dst += kc * nr;
    }
}

// ---------------------------------------------------------------------------------------------

void keel_transpose(const float *src, long lds, long rows, long cols, const float *add, int relu, float *dst, long ldd) {
#ifdef KEEL_X86
    const int variant = keel_kernel_variant();
    if (variant == KEEL_VARIANT_AVX2 || variant == KEEL_VARIANT_AVX512) {
        keel_transpose_avx2(src, lds, rows, cols, add, relu, dst, ldd);
        return;
    }
#endif
    for (long r = 0; r < rows; r++) {
        for (long c = 0; c < cols; c++) {
            const float v = add ? src[r * lds + c] + add[c] : src[r * lds + c];
            dst[c * ldd + r] = relu && v < 0.0f ? 0.0f : v;
        }
    }
}
