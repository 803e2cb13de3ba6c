// CKeelKernels: the innermost SIMD loops of Keel. No allocation policy, no threading, no logic beyond
// the loops themselves; the Swift target `Keel` decides what to run, on which threads, with which
// scratch space.
#ifndef CKEELKERNELS_H
#define CKEELKERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction-set levels. Every kernel computes bit-identical results at every level (same operations,
/// same fused multiply-adds, same summation trees); the levels differ only in speed.
enum { KEEL_CPU_PORTABLE = 0, KEEL_CPU_AVX2 = 1, KEEL_CPU_AVX512 = 2 };

/// The level kernels called from this thread run at: the thread's override if set, else the process-wide
/// choice, else KEEL_CPU (when valid and supported), else the highest level the CPU supports.
int keel_cpu_level(void);
/// The highest level this CPU supports (avx512: AVX-512 F, DQ, VL, BW and FMA; avx2: AVX2 and FMA).
int keel_cpu_supported_level(void);
/// 0 when KEEL_CPU is unset or usable; 1 when it names no level; 2 when it asks for more than the CPU has
/// (then it is ignored).
int keel_cpu_environment_problem(void);
/// "portable", "avx2", "avx512"; and back (-1 for an unknown name).
const char *keel_cpu_level_name(int level);
int keel_cpu_level_from_name(const char *name);
/// Chooses the level for the whole process (-1: back to automatic). Returns -1, changing nothing, when the
/// CPU does not support `level`.
int keel_set_process_cpu_level(int level);
/// Overrides the level on the calling thread only (clamped to what the CPU supports); -1 removes the
/// override. Keel's thread pool runs each job's helpers at the level of the thread that started it.
void keel_set_cpu_level(int level);
/// The calling thread's override, or -1.
int keel_thread_cpu_level(void);
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
/// Every C element is computed the same way at every level, with any blocking and any split of C between
/// callers: c ← β·c (0 when β = 0), then c ← fma(α·a[k], b[k], c) for k = 0, 1, …, K − 1 in order.
void keel_sgemm(int transA, int transB, long M, long N, long K, float alpha,
                const float *A, long lda, const float *B, long ldb, float beta,
                float *C, long ldc, float *workspace);

// The pieces of keel_sgemm, for a driver that runs them on several threads (Keel's `GEMM.run`): C ← β·C
// first (keel_gemm_scale, when β ∉ {0, 1}); then for each block of NC columns and each block of KC of the
// depth, B's block is packed once (by NR-column panels, any of them on any thread), and A's blocks of MC rows
// are packed and multiplied against it (keel_gemm_block), any block on any thread, `accumulate` being set
// from the second depth block on (or from the first when β ≠ 0).

/// The level's micro-tile (mr × nr) and cache blocking (kc depth, mc rows, nc columns).
void keel_gemm_blocking(int *mr, int *nr, long *kc, long *mc, long *nc);
/// Rows [0, mc) × depth [0, kc) of op(A) (A stored transposed when transA) into panels of mr rows: panel p
/// holds, for each k, mr values (zero beyond mc), times alpha unless alpha is 1. `dst`: ⌈mc/mr⌉·mr·kc floats.
void keel_pack_a(int transA, const float *A, long lda, long mc, long kc, int mr, float alpha, float *dst);
/// Depth [0, kc) × columns [0, nc) of op(B) into panels of nr columns (zero beyond nc). `dst`: ⌈nc/nr⌉·nr·kc.
void keel_pack_b(int transB, const float *B, long ldb, long kc, long nc, int nr, float *dst);
/// C[mc, nc] (rows ldc apart) ← (accumulate ? C : 0) + packed A · packed B, over depth kc.
void keel_gemm_block(long mc, long nc, long kc, const float *packedA, const float *packedB, float *C, long ldc,
                     int accumulate);
/// C ← beta·C (0 when beta is 0).
void keel_gemm_scale(long M, long N, float beta, float *C, long ldc);

/// dst[c·ldd + r] = src[r·lds + c] (+ add[c] when `add` is not NULL; then, with `relu`, v < 0 ? 0 : v) for
/// r < rows, c < cols.
void keel_transpose(const float *src, long lds, long rows, long cols, const float *add, int relu, float *dst, long ldd);

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

// Direct stride-1 convolution (conv_direct.c): the im2col GEMM's bits without the im2col matrix. An image's C planes
// are zero-padded into planes of `plane` floats (keel_pad_planes); grid position q (rows of the padded width) reads
// tap t at q + offsets[t]; positions past an output row's end are computed and dropped (keel_unpad_planes).
/// The level's tile shape for a grid of `positions` (forward, or input gradient when `gradient`): returns its index
/// and sets its rows (output channels, or input channels) and lanes (grid positions) per tile.
int keel_conv_direct_shape(int gradient, long positions, int *rows, int *lanes);
/// w[OC, inner] (inner = C·taps) into panels of `rows` output channels: dst[⌈OC/rows⌉·rows·inner].
void keel_conv_direct_pack_forward(const float *w, long outChannels, long inner, int rows, float *dst);
/// w[OC, C, taps] into panels of `rows` input channels, tap-major then output channel: dst[⌈C/rows⌉·rows·taps·OC].
void keel_conv_direct_pack_gradient(const float *w, long outChannels, long channels, long taps, int rows, float *dst);
/// With tile shape `shape`: y[o·ldy + q] = Σ_(c, t) w[o, c, t] · xp[c·plane + q + offsets[t]] for all o < ⌈OC/rows⌉·rows
/// and q < ⌈positions / lanes⌉·lanes (ldy at least that; xp readable that far past each plane's positions plus the
/// largest offset).
void keel_conv_direct_forward(int shape, const float *xp, long plane, long channels, const long *offsets, long taps,
                              const float *packed, long outChannels, long positions, float *y, long ldy);
/// With tile shape `shape`: dx[c·ldx + g] = Σ_t (Σ_o w[o, c, t] · dyp[o·plane + g + offsets[t]]), each tap's chain
/// summed in tap order; the same rounding-up of channels and positions as keel_conv_direct_forward.
void keel_conv_direct_input_gradient(int shape, const float *dyp, long plane, long outChannels, const long *offsets,
                                     long taps, const float *packed, long channels, long positions, float *dx, long ldx);
/// The vector width (floats) of the level's direct-convolution tiles; keel_conv_direct_weight_gradient3x3 wants
/// output channels padded to a multiple of it.
int keel_conv_direct_lanes(void);
/// dw[t·ldw + o] (t < 9, o < outPadded) ← (accumulate ? dw : 0) + Σ_(i,j) dyt[(i·outWidth + j)·ldt + o] ·
/// xc[q + (t / 3)·width + t % 3] with q = i·width + j, over the output positions i < outHeight, j < outWidth in
/// order, one fused multiply-add chain: the 3 × 3 weight gradient of one input channel (dy position-major, x on a
/// grid whose rows are `width` ≥ outWidth apart). With `phasePlane` > 0 (stride 2), xc is the channel's four phase
/// planes (keel_pad_phases), `phasePlane` floats apart, and tap (kh, kw) reads phase (kh mod 2, kw mod 2) at
/// q + (kh div 2)·width + kw div 2.
void keel_conv_direct_weight_gradient3x3(const float *xc, long width, long phasePlane, const float *dyt, long ldt,
                                         long outPadded, long outHeight, long outWidth, float *dw, long ldw,
                                         int accumulate);
/// dst[c] = x[c] (planes `channelStride` apart, height × width) placed at (top, left) of a zero paddedHeight ×
/// paddedWidth plane; planes follow each other.
void keel_pad_planes(const float *x, long channels, long channelStride, long height, long width, long top, long left,
                     float *dst, long paddedHeight, long paddedWidth);
/// The phase planes of x zero-padded (top, left) for stride (strideH, strideW): for each channel, phases (a, b) for
/// a < phasesH, b < phasesW in order, each phaseHeight × phaseWidth with
/// plane[r, s] = x[r·strideH + a − top, s·strideW + b − left] (0 outside x).
void keel_pad_phases(const float *x, long channels, long channelStride, long height, long width, long top, long left,
                     long strideH, long strideW, long phasesH, long phasesW, float *dst, long phaseHeight, long phaseWidth);
/// dst[c, i, j] = grid[c·ldg + i·gridWidth + j] (+ add[c]; then, with `relu`, v < 0 ? 0 : v) for j < width.
void keel_unpad_planes(const float *grid, long ldg, long channels, long height, long width, long gridWidth,
                       const float *add, int relu, float *dst);

/// 2 × 2 max pooling with stride 2 of `planes` planes h × w → oh × ow (oh ≤ h/2, ow ≤ w/2): the maximum of
/// each window and its in-plane index; the later element of a pair wins only when larger. With `relu`, of
/// relu(x) (v < 0 ? 0 : v) instead of x. Returns 1 when some value read was a NaN (the result then does not
/// follow NaN-wins semantics and the caller must pool again), else 0.
int keel_maxpool2x2(const float *x, long planes, long h, long w, long oh, long ow, int relu, float *y, int32_t *indices);

/// y[i] = e^x[i] (within 2 ulp; 0, ±inf, NaN and subnormals as libm). y may equal x.
void keel_vexp(const float *x, float *y, long n);
/// y[i] = ln x[i] (within 2 ulp; log 0 = −inf, log of a negative = NaN). y may equal x.
void keel_vlog(const float *x, float *y, long n);
/// Σ x[i] with several SIMD accumulators (a fixed order for a given n and CPU level).
float keel_vsum(const float *x, long n);
/// y[i] += x[i] (one IEEE addition per element: the same bits at every level).
void keel_vadd(const float *x, float *y, long n);

// Batch normalization, one channel of `rows` rows of `inner` floats `stride` apart (batch_norm.c): double-precision
// sums in one fixed order for every level.
/// Σ (x − center) and Σ (x − center)².
void keel_bn_moments(const float *x, long rows, long stride, long inner, double center, double *sum, double *squares);
/// Σ dy and Σ dy · (x − mean) · invstd; with `relu` (a fused ReLU after the batch norm), dy is first multiplied by
/// ReLU′ exactly as the ReLU's backward does, at the ReLU's input v = (x − mean) · reluScale + reluShift recomputed
/// as keel_bn_normalize computed it.
void keel_bn_gradient_sums(
    const float *dy, const float *x, long rows, long stride, long inner, float mean, float invstd, int relu,
    float reluScale, float reluShift, double *sumDy, double *sumDyXhat);
/// y = (x − mean) · scale + shift, then the ReLU (exactly as the ReLU's forward) when `relu` is nonzero.
void keel_bn_normalize(
    const float *x, float *y, long rows, long stride, long inner, float mean, float scale, float shift, int relu);
/// dx = scale · (dy − meanDy − (x − mean) · invstd · meanDyXhat), dy gated by ReLU′ first when `relu` (as
/// keel_bn_gradient_sums).
void keel_bn_input_gradient(
    const float *dy, const float *x, float *dx, long rows, long stride, long inner, float mean, float invstd, float scale,
    float meanDy, float meanDyXhat, int relu, float reluScale, float reluShift);

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
