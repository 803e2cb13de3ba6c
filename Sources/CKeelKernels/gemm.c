// Packed, blocked SGEMM with run-time dispatched micro-kernels (AVX-512F, AVX2+FMA, portable C).
//
// Row-major view, vectorized along N. With the blocking below (the BLIS loop order):
//   for jc in N by NC:            B block  (KC × NC) packed once, kept in L2
//     for pc in K by KC:
//       for ic in M by MC:        A block  (MC × KC) packed
//         for ir in MC by MR:     A micro-panel (MR × KC) stays in L1
//           for jr in NC by NR:   micro-kernel: C[MR × NR] += A-panel · B-panel
// Packed panels are padded with zeros, so every micro-kernel call computes a full MR × NR tile; edge
// tiles go through a small scratch tile. Each C element sees the same sequence of FMAs whatever M, N
// and the caller's split, so results do not depend on the thread partitioning done in Swift.
#include "CKeelKernels.h"
#include <string.h>
#include <stdint.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define KEEL_X86 1
#endif

typedef void (*keel_micro_kernel)(long kc, const float *a, const float *b, float *c, long ldc,
                                  float alpha, float beta);

typedef struct {
    int mr, nr;        // micro-tile
    long kc, mc, nc;   // cache blocking
    keel_micro_kernel kernel;
    const char *name;
} keel_gemm_config;

// ---------------------------------------------------------------------------------------------
// Portable micro-kernel: 4 × 16, plain C (auto-vectorized where the compiler can).
#define P_MR 4
#define P_NR 16
static void micro_portable(long kc, const float *a, const float *b, float *c, long ldc,
                           float alpha, float beta) {
    float acc[P_MR][P_NR];
    memset(acc, 0, sizeof(acc));
    for (long k = 0; k < kc; k++) {
        for (int i = 0; i < P_MR; i++) {
            const float ai = a[i];
            for (int j = 0; j < P_NR; j++) acc[i][j] += ai * b[j];
        }
        a += P_MR;
        b += P_NR;
    }
    for (int i = 0; i < P_MR; i++) {
        float *ci = c + i * ldc;
        if (beta == 0.0f) {
            for (int j = 0; j < P_NR; j++) ci[j] = alpha * acc[i][j];
        } else {
            for (int j = 0; j < P_NR; j++) ci[j] = alpha * acc[i][j] + beta * ci[j];
        }
    }
}

#ifdef KEEL_X86
// ---------------------------------------------------------------------------------------------
// AVX2 + FMA micro-kernel: 6 × 16 (12 ymm accumulators).
#define A2_MR 6
#define A2_NR 16
__attribute__((target("avx2,fma")))
static void micro_avx2(long kc, const float *a, const float *b, float *c, long ldc,
                       float alpha, float beta) {
    __m256 acc[A2_MR][2];
    for (int i = 0; i < A2_MR; i++) { acc[i][0] = _mm256_setzero_ps(); acc[i][1] = _mm256_setzero_ps(); }
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
    const __m256 va = _mm256_set1_ps(alpha);
    for (int i = 0; i < A2_MR; i++) {
        float *ci = c + i * ldc;
        if (beta == 0.0f) {
            _mm256_storeu_ps(ci, _mm256_mul_ps(va, acc[i][0]));
            _mm256_storeu_ps(ci + 8, _mm256_mul_ps(va, acc[i][1]));
        } else {
            const __m256 vb = _mm256_set1_ps(beta);
            _mm256_storeu_ps(ci, _mm256_fmadd_ps(va, acc[i][0], _mm256_mul_ps(vb, _mm256_loadu_ps(ci))));
            _mm256_storeu_ps(ci + 8, _mm256_fmadd_ps(va, acc[i][1], _mm256_mul_ps(vb, _mm256_loadu_ps(ci + 8))));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// AVX-512F micro-kernel: 12 × 32 (24 zmm accumulators, A broadcast from memory).
#define A5_MR 12
#define A5_NR 32
__attribute__((target("avx512f,fma")))
static void micro_avx512(long kc, const float *a, const float *b, float *c, long ldc,
                         float alpha, float beta) {
    __m512 acc[A5_MR][2];
    for (int i = 0; i < A5_MR; i++) {
        acc[i][0] = _mm512_setzero_ps();
        acc[i][1] = _mm512_setzero_ps();
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + 16), _MM_HINT_T0);
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
    const __m512 va = _mm512_set1_ps(alpha);
    for (int i = 0; i < A5_MR; i++) {
        float *ci = c + i * ldc;
        if (beta == 0.0f) {
            _mm512_storeu_ps(ci, _mm512_mul_ps(va, acc[i][0]));
            _mm512_storeu_ps(ci + 16, _mm512_mul_ps(va, acc[i][1]));
        } else {
            const __m512 vb = _mm512_set1_ps(beta);
            _mm512_storeu_ps(ci, _mm512_fmadd_ps(va, acc[i][0], _mm512_mul_ps(vb, _mm512_loadu_ps(ci))));
            _mm512_storeu_ps(ci + 16, _mm512_fmadd_ps(va, acc[i][1], _mm512_mul_ps(vb, _mm512_loadu_ps(ci + 16))));
        }
    }
}
#endif

// ---------------------------------------------------------------------------------------------
// Dispatch.
static const keel_gemm_config configs[3] = {
    {P_MR, P_NR, 256, 64, 512, micro_portable, "portable 4x16"},
#ifdef KEEL_X86
    {A2_MR, A2_NR, 256, 96, 1024, micro_avx2, "avx2+fma 6x16"},
    {A5_MR, A5_NR, 384, 96, 512, micro_avx512, "avx512f 12x32"},
#else
    {P_MR, P_NR, 256, 64, 512, micro_portable, "portable 4x16"},
    {P_MR, P_NR, 256, 64, 512, micro_portable, "portable 4x16"},
#endif
};

static int detected_level = -1;  // what the CPU supports
static _Thread_local int forced_level = -1;  // per thread; -1: automatic

static int detect_level(void) {
#ifdef KEEL_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
#endif
    return 0;
}

int keel_cpu_level(void) {
    int detected = __atomic_load_n(&detected_level, __ATOMIC_RELAXED);
    if (detected < 0) {
        detected = detect_level();
        __atomic_store_n(&detected_level, detected, __ATOMIC_RELAXED);
    }
    const int forced = forced_level;
    return (forced >= 0 && forced < detected) ? forced : detected;
}

void keel_set_cpu_level(int level) { forced_level = level; }

const char *keel_gemm_kernel_name(void) { return configs[keel_cpu_level()].name; }

void keel_gemm_tile(int *mr, int *nr) {
    const keel_gemm_config *g = &configs[keel_cpu_level()];
    *mr = g->mr;
    *nr = g->nr;
}

static size_t round_up(size_t x, size_t m) { return (x + m - 1) / m * m; }

size_t keel_sgemm_workspace_floats(void) {
    size_t most = 0;
    for (int i = 0; i < 3; i++) {
        const keel_gemm_config *g = &configs[i];
        const size_t a = round_up((size_t)g->mc, (size_t)g->mr) * (size_t)g->kc;
        const size_t b = round_up((size_t)g->nc, (size_t)g->nr) * (size_t)g->kc;
        const size_t t = (size_t)g->mr * (size_t)g->nr;
        const size_t total = round_up(a, 16) + round_up(b, 16) + round_up(t, 16);
        if (total > most) most = total;
    }
    return most;
}

// ---------------------------------------------------------------------------------------------
// Packing. A block rows [0, mc) × k [0, kc) into panels of mr rows: panel p holds, for each k, mr values.
static void pack_a(int transA, const float *A, long lda, long mc, long kc, int mr, float *dst) {
    for (long i0 = 0; i0 < mc; i0 += mr) {
        const long rows = (mc - i0 < mr) ? mc - i0 : mr;
        if (!transA) {
            const float *src = A + i0 * lda;
            for (long k = 0; k < kc; k++) {
                long i = 0;
                for (; i < rows; i++) dst[i] = src[i * lda + k];
                for (; i < mr; i++) dst[i] = 0.0f;
                dst += mr;
            }
        } else {
            const float *src = A + i0;
            for (long k = 0; k < kc; k++) {
                const float *row = src + k * lda;
                long i = 0;
                for (; i < rows; i++) dst[i] = row[i];
                for (; i < mr; i++) dst[i] = 0.0f;
                dst += mr;
            }
        }
    }
}

// B block k [0, kc) × cols [0, nc) into panels of nr columns: panel p holds, for each k, nr values.
static void pack_b(int transB, const float *B, long ldb, long kc, long nc, int nr, float *dst) {
    for (long j0 = 0; j0 < nc; j0 += nr) {
        const long cols = (nc - j0 < nr) ? nc - j0 : nr;
        if (!transB) {
            const float *src = B + j0;
            if (cols == nr) {
                for (long k = 0; k < kc; k++) {
                    memcpy(dst, src + k * ldb, (size_t)nr * sizeof(float));
                    dst += nr;
                }
            } else {
                for (long k = 0; k < kc; k++) {
                    const float *row = src + k * ldb;
                    long j = 0;
                    for (; j < cols; j++) dst[j] = row[j];
                    for (; j < nr; j++) dst[j] = 0.0f;
                    dst += nr;
                }
            }
        } else {
            const float *src = B + j0 * ldb;
            for (long k = 0; k < kc; k++) {
                long j = 0;
                for (; j < cols; j++) dst[j] = src[j * ldb + k];
                for (; j < nr; j++) dst[j] = 0.0f;
                dst += nr;
            }
        }
    }
}

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
    const keel_gemm_config *g = &configs[keel_cpu_level()];
    const int mr = g->mr, nr = g->nr;
    const long KC = g->kc, MC = g->mc, NC = g->nc;
    float *packedA = workspace;
    float *packedB = packedA + round_up(round_up((size_t)MC, (size_t)mr) * (size_t)KC, 16);
    float *tile = packedB + round_up(round_up((size_t)NC, (size_t)nr) * (size_t)KC, 16);

    for (long jc = 0; jc < N; jc += NC) {
        const long nc = (N - jc < NC) ? N - jc : NC;
        for (long pc = 0; pc < K; pc += KC) {
            const long kc = (K - pc < KC) ? K - pc : KC;
            const float chunkBeta = (pc == 0) ? beta : 1.0f;
            const float *bSrc = transB ? B + jc * ldb + pc : B + pc * ldb + jc;
            pack_b(transB, bSrc, ldb, kc, nc, nr, packedB);
            for (long ic = 0; ic < M; ic += MC) {
                const long mc = (M - ic < MC) ? M - ic : MC;
                const float *aSrc = transA ? A + pc * lda + ic : A + ic * lda + pc;
                pack_a(transA, aSrc, lda, mc, kc, mr, packedA);
                for (long ir = 0; ir < mc; ir += mr) {
                    const long rows = (mc - ir < mr) ? mc - ir : mr;
                    const float *aPanel = packedA + ir * kc;
                    for (long jr = 0; jr < nc; jr += nr) {
                        const long cols = (nc - jr < nr) ? nc - jr : nr;
                        const float *bPanel = packedB + jr * kc;
                        float *c = C + (ic + ir) * ldc + jc + jr;
                        if (rows == mr && cols == nr) {
                            g->kernel(kc, aPanel, bPanel, c, ldc, alpha, chunkBeta);
                        } else {
                            g->kernel(kc, aPanel, bPanel, tile, nr, 1.0f, 0.0f);
                            for (long i = 0; i < rows; i++) {
                                float *ci = c + i * ldc;
                                const float *ti = tile + i * nr;
                                if (chunkBeta == 0.0f) {
                                    for (long j = 0; j < cols; j++) ci[j] = alpha * ti[j];
                                } else {
                                    for (long j = 0; j < cols; j++) ci[j] = alpha * ti[j] + chunkBeta * ci[j];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
