// Packed, blocked SGEMM with run-time dispatched micro-kernels (AVX-512, AVX2+FMA, portable C).
//
// Row-major view, vectorized along N. With the blocking below (the BLIS loop order):
//   for jc in N by NC:            B block  (KC × NC) packed once per K block, kept in L3
//     for pc in K by KC:
//       for ic in M by MC:        A block  (MC × KC) packed, kept in L2
//         for jr in NC by NR:     B micro-panel (KC × NR) stays in L1
//           for ir in MC by MR:   micro-kernel: C[MR × NR] += A-panel · B-panel
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

/// The largest micro-tile of any level (AVX-512 12 × 32), for the edge-tile scratch.
#define A5_TILE_FLOATS (12 * 32)

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
        _mm_prefetch((const char *)(a + 8 * A5_MR), _MM_HINT_T0);  // A streams from L2; B sits in L1
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
static const keel_gemm_config portable_config = {P_MR, P_NR, 256, 64, 2048, micro_portable, "portable 4x16"};
#ifdef KEEL_X86
static const keel_gemm_config portable_fma_config = {P_MR, P_NR, 256, 64, 2048, micro_portable_fma, "portable 4x16"};
static const keel_gemm_config avx2_config = {A2_MR, A2_NR, 256, 144, 4096, micro_avx2, "avx2+fma 6x16"};
static const keel_gemm_config avx512_config = {A5_MR, A5_NR, 256, 192, 4096, micro_avx512, "avx512 12x32"};
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

/// keel_sgemm's scratch: A's block and B's block of at most 1,024 columns.
static size_t workspace_of(const keel_gemm_config *g) {
    const size_t a = round_up((size_t)g->mc, (size_t)g->mr) * (size_t)g->kc;
    const size_t b = round_up((size_t)(g->nc < 1024 ? g->nc : 1024), (size_t)g->nr) * (size_t)g->kc;
    return round_up(a, 16) + round_up(b, 16);
}

size_t keel_sgemm_workspace_floats(void) {
    size_t most = workspace_of(&portable_config);
#ifdef KEEL_X86
    if (workspace_of(&avx2_config) > most) most = workspace_of(&avx2_config);
    if (workspace_of(&avx512_config) > most) most = workspace_of(&avx512_config);
#endif
    return most;
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

void keel_gemm_block(long mc, long nc, long kc, const float *packedA, const float *packedB, float *C, long ldc,
                     int accumulate) {
    const keel_gemm_config *g = config();
    const int mr = g->mr, nr = g->nr;
    float tile[A5_TILE_FLOATS] __attribute__((aligned(64)));
    // B's micro-panel stays in L1 while every micro-panel of A's block (in L2) passes it.
    for (long jr = 0; jr < nc; jr += nr) {
        const long cols = (nc - jr < nr) ? nc - jr : nr;
        const float *bPanel = packedB + jr * kc;
        for (long ir = 0; ir < mc; ir += mr) {
            const long rows = (mc - ir < mr) ? mc - ir : mr;
            const float *aPanel = packedA + ir * kc;
            float *c = C + ir * ldc + jr;
            if (rows == mr && cols == nr) {
                g->kernel(kc, aPanel, bPanel, c, ldc, accumulate);
                continue;
            }
            // Edge tile: through a scratch tile, the same arithmetic on the valid part.
            if (accumulate) {
                for (long i = 0; i < rows; i++) memcpy(tile + i * nr, c + i * ldc, (size_t)cols * sizeof(float));
            }
            g->kernel(kc, aPanel, bPanel, tile, nr, accumulate);
            for (long i = 0; i < rows; i++) memcpy(c + i * ldc, tile + i * nr, (size_t)cols * sizeof(float));
        }
    }
}

void keel_gemm_scale(long M, long N, float beta, float *C, long ldc) { scale_c(M, N, beta, C, ldc); }

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
    const long KC = g->kc, MC = g->mc;
    // A single-threaded call packs B in pieces of at most 1,024 columns (the L2-sized NC of the loops above
    // is for the threaded driver, which shares one packed B between threads).
    const long NC = g->nc < 1024 ? g->nc : 1024;
    float *packedA = workspace;
    float *packedB = packedA + round_up(round_up((size_t)MC, (size_t)mr) * (size_t)KC, 16);
    for (long jc = 0; jc < N; jc += NC) {
        const long nc = (N - jc < NC) ? N - jc : NC;
        for (long pc = 0; pc < K; pc += KC) {
            const long kc = (K - pc < KC) ? K - pc : KC;
            const int accumulate = pc > 0 || beta != 0.0f;
            keel_pack_b(transB, transB ? B + jc * ldb + pc : B + pc * ldb + jc, ldb, kc, nc, nr, packedB);
            for (long ic = 0; ic < M; ic += MC) {
                const long mc = (M - ic < MC) ? M - ic : MC;
                keel_pack_a(transA, transA ? A + pc * lda + ic : A + ic * lda + pc, lda, mc, kc, mr, alpha, packedA);
                keel_gemm_block(mc, nc, kc, packedA, packedB, C + ic * ldc + jc, ldc, accumulate);
            }
        }
    }
}

void keel_gemm_blocking(int *mr, int *nr, long *kc, long *mc, long *nc) {
    const keel_gemm_config *g = config();
    *mr = g->mr; *nr = g->nr; *kc = g->kc; *mc = g->mc; *nc = g->nc;
}
