// Vectorized exp, log and sum over contiguous float arrays: simd_math.h and vector_loops.h compiled for
// AVX-512 (16 lanes), AVX2 + FMA (8 lanes) and portable C (4 lanes), chosen at run time. Every level gives
// the same bits (see simd_math.h and the summation tree in vector_loops.h).
#include "CKeelKernels.h"
#include "dispatch.h"

#pragma clang fp contract(off)

#define KEEL_LEVEL_BODY "vector_loops.h"
#include "per_level.h"

void keel_vexp(const float *x, float *y, long n) {
    switch (keel_kernel_variant()) {
#ifdef KEEL_X86
    case KEEL_VARIANT_AVX512: exp_array_avx512(x, y, n); return;
    case KEEL_VARIANT_AVX2: exp_array_avx2(x, y, n); return;
    case KEEL_VARIANT_PORTABLE_FMA: exp_array_portable_fma(x, y, n); return;
#endif
    default: exp_array_portable(x, y, n); return;
    }
}

void keel_vlog(const float *x, float *y, long n) {
    switch (keel_kernel_variant()) {
#ifdef KEEL_X86
    case KEEL_VARIANT_AVX512: log_array_avx512(x, y, n); return;
    case KEEL_VARIANT_AVX2: log_array_avx2(x, y, n); return;
    case KEEL_VARIANT_PORTABLE_FMA: log_array_portable_fma(x, y, n); return;
#endif
    default: log_array_portable(x, y, n); return;
    }
}

float keel_vsum(const float *x, long n) {
    switch (keel_kernel_variant()) {
#ifdef KEEL_X86
    case KEEL_VARIANT_AVX512: return sum_array_avx512(x, n);
    case KEEL_VARIANT_AVX2: return sum_array_avx2(x, n);
    case KEEL_VARIANT_PORTABLE_FMA: return sum_array_portable_fma(x, n);
#endif
    default: return sum_array_portable(x, n);
    }
}

void keel_vadd(const float *x, float *y, long n) {
    switch (keel_kernel_variant()) {
#ifdef KEEL_X86
    case KEEL_VARIANT_AVX512: add_array_avx512(x, y, n); return;
    case KEEL_VARIANT_AVX2: add_array_avx2(x, y, n); return;
    case KEEL_VARIANT_PORTABLE_FMA: add_array_portable_fma(x, y, n); return;
#endif
    default: add_array_portable(x, y, n); return;
    }
}
