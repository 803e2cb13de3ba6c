// Packed, blocked SGEMM with run-time dispatched micro-kernels (AVX-512, AVX2+FMA, portable C).
//
// Row-major view, vectorized along N. With the blocking below (the BLIS loop order):
//   for jc in N by NC:            B block  (KC × NC) packed once, kept in L2
//     for pc in K by KC:
//       for ic in M by MC:        A block  (MC × KC) packed
//         for ir in MC by MR:     A micro-panel (MR × KC) stays in L1
//           for jr in NC by NR:   micro-kernel: C[MR × NR] += A-panel · B-panel
//
// The arithmetic of every C element is fixed, whatever the level, the blocking, the tile and the caller's
// split: c ← β·c (or 0 when β = 0), then c ← fma(α·a[k], b[k], c) for k = 0, 1, …, K − 1 in order (α·a[k]
// is rounded once, when A is packed; nothing is multiplied when α = 1). Each K block starts from the value
// the previous one stored, so KC only changes where the chain pauses, never its operations, and all three
// levels give the same bits.
#include "CKeelKernels.h"
#include "dispatch.h"
#include <math.h>
#include <string.h>
#include <stdint.h>

#pragma clang fp contract(off)

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define KEEL_X86 1
#endif

/// C[MR × NR] (rows `ldc` apart) ← (accumulate ? C : 0) + Σ_k a[k]·b[k], one fused multiply-add per k.
typedef void (*keel_micro_kernel)(long kc, const float *a, const float *b, float *c, long ldc, int accumulate);

typedef struct {
    int mr, nr;        // micro-tile
    long kc, mc, nc;   // cache blocking
    keel_micro_kernel kernel;
    const char *name;
} keel_gemm_config;

// ---------------------------------------------------------------------------------------------
// Portable micro-kernel: 4 × 16 over clang vector types; every multiply-add is fused (fmaf semantics:
// one instruction on ARM64 and on x86 CPUs with FMA, a correctly rounded library call elsewhere).
#define P_MR 4
#define P_NR 16
typedef float keel_pf16 __attribute__((ext_vector_type(16)));

#define KEEL_PORTABLE_MICRO(NAME, TARGET)                                                               \
    TARGET static void NAME(long kc, const float *a, const float *b, float *c, long ldc, int accumulate) { \
        keel_pf16 acc[P_MR];                                                                            \
        for (int i = 0; i < P_MR; i++) {                                                                \
            if (accumulate) memcpy(&acc[i], c + i * ldc, sizeof(keel_pf16));                            \
            else acc[i] = (keel_pf16)0.0f;                                                              \
        }                                                                                               \
        for (long k = 0; k < kc; k++) {                                                                 \
            keel_pf16 bk;                                                                               \
            memcpy(&bk, b, sizeof(bk));                                                                 \
            for (int i = 0; i < P_MR; i++) acc[i] = __builtin_elementwise_fma((keel_pf16)a[i], bk, acc[i]); \
            a += P_MR;                                                                                  \
            b += P_NR;                                                                                  \
        }                                                                                               \
        for (int i = 0; i < P_MR; i++) memcpy(c + i * ldc, &acc[i], sizeof(keel_pf16));                 \
    }

KEEL_PORTABLE_MICRO(micro_portable, )
#ifdef KEEL_X86
// The same source with the FMA instruction available, used on x86 CPUs that have it.
KEEL_PORTABLE_MICRO(micro_portable_fma, __attribute__((target("fma"))))

// ---------------------------------------------------------------------------------------------
// AVX2 + FMA micro-kernel: 6 × 16 (12 ymm accumulators).
#define A2_MR 6
#define A2_NR 16
__attribute__((target("avx2,fma")))
static void micro_avx2(long kc, const float *a, const float *b, float *c, long ldc, int accumulate) {
    __m256 acc[A2_MR][2];
    for (int i = 0; i < A2_MR; i++) {
        if (accumulate) {
            acc[i][0] = _mm256_loadu_ps(c + i * ldc);
            acc[i][1] = _mm256_loadu_ps(c + i * ldc + 8);
        } else {
            acc[i][0] = _mm256_setzero_ps();
            acc[i][1] = _mm256_setzero_ps();
        }
    }
    for (long k = 0; k < kc; k++) {
        const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
        for (int i = 0; i < A2_MR; i++) {
            const __m256 ai = _mm256_broadcast_ss(a + i);
            acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
        }
        a += A2_MR;
        b += A2_NR;
    }
    for (int i = 0; i < A2_MR; i++) {
        _mm256_storeu_ps(c + i * ldc, acc[i][0]);
        _mm256_storeu_ps(c + i * ldc + 8, acc[i][1]);
    }
}

// ---------------------------------------------------------------------------------------------
// AVX-512 micro-kernel: 12 × 32 (24 zmm accumulators, A broadcast from memory).
#define A5_MR 12
#define A5_NR 32
__attribute__((target("avx512f,fma")))
static void micro_avx512(long kc, const float *a, const float *b, float *c, long ldc, int accumulate) {
    __m512 acc[A5_MR][2];
    for (int i = 0; i < A5_MR; i++) {
        if (accumulate) {
            acc[i][0] = _mm512_loadu_ps(c + i * ldc);
            acc[i][1] = _mm512_loadu_ps(c + i * ldc + 16);
        } else {
            acc[i][0] = _mm512_setzero_ps();
            acc[i][1] = _mm512_setzero_ps();
        }
    }
    for (long k = 0; k < kc; k++) {
        const __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
        _mm_prefetch((const char *)(b + 8 * A5_NR), _MM_HINT_T0);
        for (int i = 0; i < A5_MR; i++) {
            const __m512 ai = _mm512_set1_ps(a[i]);
            acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
        }
        a += A5_MR;
        b += A5_NR;
    }
    for (int i = 0; i < A5_MR; i++) {
        _mm512_storeu_ps(c + i * ldc, acc[i][0]);
        _mm512_storeu_ps(c + i * ldc + 16, acc[i][1]);
    }
}
#endif

// ---------------------------------------------------------------------------------------------
// Dispatch. The blocking may differ between levels: it never changes the arithmetic (see the top).
static const keel_gemm_config portable_config = {P_MR, P_NR, 256, 64, 512, micro_portable, "portable 4x16"};
#ifdef KEEL_X86
static const keel_gemm_config portable_fma_config = {P_MR, P_NR, 256, 64, 512, micro_portable_fma, "portable 4x16"};
static const keel_gemm_config avx2_config = {A2_MR, A2_NR, 256, 96, 1024, micro_avx2, "avx2+fma 6x16"};
static const keel_gemm_config avx512_config = {A5_MR, A5_NR, 384, 96, 512, micro_avx512, "avx512 12x32"};
#endif

static const keel_gemm_config *config(void) {
    switch (keel_kernel_variant()) {
#ifdef KEEL_X86
    case KEEL_VARIANT_AVX512: return &avx512_config;
    case KEEL_VARIANT_AVX2: return &avx2_config;
    case KEEL_VARIANT_PORTABLE_FMA: return &portable_fma_config;
#endif
    default: return &portable_config;
    }
}

const char *keel_gemm_kernel_name(void) { return config()->name; }

void keel_gemm_tile(int *mr, int *nr) {
    const keel_gemm_config *g = config();
    *mr = g->mr;
    *nr = g->nr;
}

static size_t round_up(size_t x, size_t m) { return (x + m - 1) / m * m; }

static size_t workspace_of(const keel_gemm_config *g) {
    const size_t a = round_up((size_t)g->mc, (size_t)g->mr) * (size_t)g->kc;
    const size_t b = round_up((size_t)g->nc, (size_t)g->nr) * (size_t)g->kc;
    const size_t t = (size_t)g->mr * (size_t)g->nr;
    return round_up(a, 16) + round_up(b, 16) + round_up(t, 16);
}

size_t keel_sgemm_workspace_floats(void) {
    size_t most = workspace_of(&portable_config);
#ifdef KEEL_X86
    if (workspace_of(&avx2_config) > most) most = workspace_of(&avx2_config);
    if (workspace_of(&avx512_config) > most) most = workspace_of(&avx512_config);
#endif
    return most;
}

// ---------------------------------------------------------------------------------------------
// Packing (copies only: it never changes the arithmetic).
//
// A panel holds, for each k, `width` values (mr rows of A, or nr columns of B), zero beyond the matrix.
// When the panel's values are consecutive in memory for each k (A stored transposed, B not) packing is a
// copy per k; otherwise it is a transposition, done in 8 × 8 blocks with AVX2 where the level has it.

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

/// transpose_pack_portable in 8 × 8 blocks (width a multiple of 2; 8 values, or fewer, stored per k).
__attribute__((target("avx2,fma")))
static void transpose_pack_avx2(const float *src, long ld, long count, int width, long kc, float *dst) {
    for (int i0 = 0; i0 < width; i0 += 8) {
        const int lanes = width - i0 < 8 ? width - i0 : 8;
        const float *rows[8];
        for (int i = 0; i < 8; i++) rows[i] = (i0 + i < count && i < lanes) ? src + (i0 + i) * ld : NULL;
        float *out = dst + i0;
        long k = 0;
        for (; k + 8 <= kc; k += 8) {
            __m256 v[8];
            for (int i = 0; i < 8; i++) v[i] = rows[i] ? _mm256_loadu_ps(rows[i] + k) : _mm256_setzero_ps();
            transpose8x8(v);
            for (int j = 0; j < 8; j++) {
                float *o = out + (k + j) * width;
                if (lanes == 8) {
                    _mm256_storeu_ps(o, v[j]);
                } else {
                    const __m128 low = _mm256_castps256_ps128(v[j]);
                    if (lanes >= 4) {
                        _mm_storeu_ps(o, low);
                        if (lanes == 6) _mm_storel_pi((__m64 *)(o + 4), _mm256_extractf128_ps(v[j], 1));
                        else if (lanes != 4) for (int i = 4; i < lanes; i++) o[i] = ((float *)&v[j])[i];
                    } else {
                        for (int i = 0; i < lanes; i++) o[i] = ((float *)&v[j])[i];
                    }
                }
            }
        }
        for (; k < kc; k++) {
            float *o = out + k * width;
            for (int i = 0; i < lanes; i++) o[i] = rows[i] ? rows[i][k] : 0.0f;
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

/// A block rows [0, mc) × k [0, kc) into panels of mr rows (times alpha unless alpha is 1).
static void pack_a(int transA, const float *A, long lda, long mc, long kc, int mr, float alpha, float *dst) {
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

/// B block k [0, kc) × cols [0, nc) into panels of nr columns.
static void pack_b(int transB, const float *B, long ldb, long kc, long nc, int nr, float *dst) {
    for (long j0 = 0; j0 < nc; j0 += nr) {
        const long cols = (nc - j0 < nr) ? nc - j0 : nr;
        if (transB) transpose_pack(B + j0 * ldb, ldb, cols, nr, kc, dst);
        else copy_pack(B + j0, ldb, cols, nr, kc, dst);
        dst += kc * nr;
    }
}

/// C ← beta·C (0 when beta is 0, so NaN or garbage in C does not survive).
static void scale_c(long M, long N, float beta, float *C, long ldc) {
    for (long i = 0; i < M; i++) {
        float *ci = C + i * ldc;
        if (beta == 0.0f) {
            memset(ci, 0, (size_t)N * sizeof(float));
        } else if (beta != 1.0f) {
            for (long j = 0; j < N; j++) ci[j] *= beta;
        }
    }
}

void keel_sgemm(int transA, int transB, long M, long N, long K, float alpha,
                const float *A, long lda, const float *B, long ldb, float beta,
                float *C, long ldc, float *workspace) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0 || alpha == 0.0f) {
        scale_c(M, N, beta, C, ldc);
        return;
    }
    // From here on C holds β·C, to be accumulated into (or nothing yet, when β = 0).
    if (beta != 0.0f && beta != 1.0f) scale_c(M, N, beta, C, ldc);
    const keel_gemm_config *g = config();
    const int mr = g->mr, nr = g->nr;
    const long KC = g->kc, MC = g->mc, NC = g->nc;
    float *packedA = workspace;
    float *packedB = packedA + round_up(round_up((size_t)MC, (size_t)mr) * (size_t)KC, 16);
    float *tile = packedB + round_up(round_up((size_t)NC, (size_t)nr) * (size_t)KC, 16);

    for (long jc = 0; jc < N; jc += NC) {
        const long nc = (N - jc < NC) ? N - jc : NC;
        for (long pc = 0; pc < K; pc += KC) {
            const long kc = (K - pc < KC) ? K - pc : KC;
            const int accumulate = pc > 0 || beta != 0.0f;
            const float *bSrc = transB ? B + jc * ldb + pc : B + pc * ldb + jc;
            pack_b(transB, bSrc, ldb, kc, nc, nr, packedB);
            for (long ic = 0; ic < M; ic += MC) {
                const long mc = (M - ic < MC) ? M - ic : MC;
                const float *aSrc = transA ? A + pc * lda + ic : A + ic * lda + pc;
                pack_a(transA, aSrc, lda, mc, kc, mr, alpha, packedA);
                for (long ir = 0; ir < mc; ir += mr) {
                    const long rows = (mc - ir < mr) ? mc - ir : mr;
                    const float *aPanel = packedA + ir * kc;
                    for (long jr = 0; jr < nc; jr += nr) {
                        const long cols = (nc - jr < nr) ? nc - jr : nr;
                        const float *bPanel = packedB + jr * kc;
                        float *c = C + (ic + ir) * ldc + jc + jr;
                        if (rows == mr && cols == nr) {
                            g->kernel(kc, aPanel, bPanel, c, ldc, accumulate);
                            continue;
                        }
                        // Edge tile: through the scratch tile, the same arithmetic on the valid part.
                        if (accumulate) {
                            for (long i = 0; i < rows; i++) memcpy(tile + i * nr, c + i * ldc, (size_t)cols * sizeof(float));
                        }
                        g->kernel(kc, aPanel, bPanel, tile, nr, accumulate);
                        for (long i = 0; i < rows; i++) memcpy(c + i * ldc, tile + i * nr, (size_t)cols * sizeof(float));
                    }
                }
            }
        }
    }
}
