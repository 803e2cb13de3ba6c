// CKeelKernels: the innermost SIMD loops of Keel. No allocation policy, no threading, no logic beyond
// the loops themselves; the Swift target `Keel` decides what to run, on which threads, with which
// scratch space.
#ifndef CKEELKERNELS_H
#define CKEELKERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction-set level chosen at run time: 0 portable C, 1 AVX2+FMA, 2 AVX-512F.
int keel_cpu_level(void);
/// Forces a level on the calling thread only (clamped to what the CPU supports); -1 restores the automatic
/// choice. For tests and benchmarks, with single-threaded calls.
void keel_set_cpu_level(int level);
/// Name of the GEMM micro-kernel in use ("avx512 12x32", ...).
const char *keel_gemm_kernel_name(void);

/// The micro-tile (rows × columns of C) of the kernel in use. Splitting C between threads at multiples of
/// these keeps results bit-identical whatever the number of threads.
void keel_gemm_tile(int *mr, int *nr);

/// Number of floats of scratch space `keel_sgemm` needs (independent of the problem size).
size_t keel_sgemm_workspace_floats(void);

/// Single-threaded, packed and blocked row-major SGEMM:
/// C[M,N] = alpha * op(A)[M,K] · op(B)[K,N] + beta * C, where op(A) = A (lda ≥ K) or Aᵀ (A is K×M, lda ≥ M),
/// op(B) = B (ldb ≥ N) or Bᵀ (B is N×K, ldb ≥ K). When beta == 0, C is not read.
/// `workspace` holds `keel_sgemm_workspace_floats()` floats, 64-byte aligned.
/// The summation order of each C element depends only on K, never on M, N or the caller's partitioning.
void keel_sgemm(int transA, int transB, long M, long N, long K, float alpha,
                const float *A, long lda, const float *B, long ldb, float beta,
                float *C, long ldc, float *workspace);

/// im2col for one image x[C,H,W] → col[C·KH·KW, OH·OW] (zero padding, stride, dilation); rows of col are
/// `ldcol` ≥ OH·OW floats apart.
void keel_im2col(const float *x, long channels, long height, long width,
                 long kernelH, long kernelW, long padH, long padW,
                 long strideH, long strideW, long dilationH, long dilationW,
                 long outH, long outW, float *col, long ldcol);

/// col2im: accumulates col[C·KH·KW, OH·OW] (rows `ldcol` apart) into dx[C,H,W] (added to, not overwritten).
void keel_col2im(const float *col, long channels, long height, long width,
                 long kernelH, long kernelW, long padH, long padW,
                 long strideH, long strideW, long dilationH, long dilationW,
                 long outH, long outW, long ldcol, float *dx);

/// y[i] = e^x[i] (within 2 ulp; 0, ±inf, NaN and subnormals as libm). y may equal x.
void keel_vexp(const float *x, float *y, long n);
/// y[i] = ln x[i] (within 2 ulp; log 0 = −inf, log of a negative = NaN). y may equal x.
void keel_vlog(const float *x, float *y, long n);
/// Σ x[i] with several SIMD accumulators (a fixed order for a given n and CPU level).
float keel_vsum(const float *x, long n);

/// Element-wise activation functions (see activation_math.h for the formulas).
enum {
    KEEL_ACT_IDENTITY = 0, KEEL_ACT_SIGMOID, KEEL_ACT_TANH, KEEL_ACT_RELU, KEEL_ACT_LEAKY_RELU, KEEL_ACT_SOFTPLUS,
    KEEL_ACT_ELU, KEEL_ACT_SELU, KEEL_ACT_CELU, KEEL_ACT_GELU, KEEL_ACT_GELU_TANH, KEEL_ACT_SILU, KEEL_ACT_MISH,
    KEEL_ACT_HARDSIGMOID, KEEL_ACT_HARDSWISH, KEEL_ACT_RELU6, KEEL_ACT_SOFTSIGN, KEEL_ACT_LOGSIGMOID,
    KEEL_ACT_COUNT
};

/// y = f(x) for activation `kind` with parameters `params` (negative slope; β, threshold; α), n elements.
void keel_activation_forward(int kind, const float *x, float *y, long n, const float *params);
/// dx = g ⊙ f′(x), given x and y = f(x).
void keel_activation_backward(int kind, const float *x, const float *y, const float *g, float *dx, long n,
                              const float *params);

/// A spin-wait hint to the CPU (x86 `pause`); lets a busy-waiting thread yield pipeline resources.
static inline void keel_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#ifdef __cplusplus
}
#endif
#endif
