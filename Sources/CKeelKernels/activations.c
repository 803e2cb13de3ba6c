// Activation kernels at each instruction-set level: simd_math.h and activation_math.h compiled for AVX-512
// (16 lanes), AVX2 + FMA (8 lanes) and portable C (4 lanes), chosen at run time. Every level gives the same
// bits (explicit fused multiply-adds, exact divisions, lanes independent).
#include "CKeelKernels.h"
#include "dispatch.h"

#pragma clang fp contract(off)

#define KEEL_LEVEL_BODY "activation_math.h"
#include "per_level.h"

void keel_activation_forward(int kind, const float *x, float *y, long n, const float *params) {
    if (kind < 0 || kind >= KEEL_ACT_COUNT) return;
    switch (keel_kernel_variant()) {
#ifdef KEEL_X86
    case KEEL_VARIANT_AVX512: forward_table_avx512[kind](x, y, n, params); return;
    case KEEL_VARIANT_AVX2: forward_table_avx2[kind](x, y, n, params); return;
    case KEEL_VARIANT_PORTABLE_FMA: forward_table_portable_fma[kind](x, y, n, params); return;
#endif
    default: forward_table_portable[kind](x, y, n, params); return;
    }
}

void keel_activation_backward(int kind, const float *x, const float *y, const float *g, float *dx, long n,
                              const float *params) {
    if (kind < 0 || kind >= KEEL_ACT_COUNT) return;
    switch (keel_kernel_variant()) {
#ifdef KEEL_X86
    case KEEL_VARIANT_AVX512: backward_table_avx512[kind](x, y, g, dx, n, params); return;
    case KEEL_VARIANT_AVX2: backward_table_avx2[kind](x, y, g, dx, n, params); return;
    case KEEL_VARIANT_PORTABLE_FMA: backward_table_portable_fma[kind](x, y, g, dx, n, params); return;
#endif
    default: backward_table_portable[kind](x, y, g, dx, n, params); return;
    }
}
