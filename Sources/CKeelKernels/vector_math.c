// Vectorized exp, log and sum over contiguous float arrays: simd_math.h and vector_loops.h compiled for
// AVX-512 (16 lanes), AVX2 + FMA (8 lanes) and portable C (4 lanes), chosen at run time. Every level gives
// the same bits (see simd_math.h and the summation tree in vector_loops.h).
#include "CKeelKernels.h"
#include "dispatch.h"

#pragma clang fp contract(off)

#if defined(__x86_64__) || defined(_M_X64)
#define KEEL_X86 1
#endif

#ifdef KEEL_X86
typedef float keel_vf16 __attribute__((ext_vector_type(16)));
typedef int keel_vi16 __attribute__((ext_vector_type(16)));
#define VF keel_vf16
#define VI keel_vi16
#define W 16
#define TARGET __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma")))
#define FN(name) name##_avx512
#include "simd_math.h"
#include "vector_loops.h"
#undef VF
#undef VI
#undef W
#undef TARGET
#undef FN

typedef float keel_vf8 __attribute__((ext_vector_type(8)));
typedef int keel_vi8 __attribute__((ext_vector_type(8)));
#define VF keel_vf8
#define VI keel_vi8
#define W 8
#define TARGET __attribute__((target("avx2,fma")))
#define FN(name) name##_avx2
#include "simd_math.h"
#include "vector_loops.h"
#undef VF
#undef VI
#undef W
#undef TARGET
#undef FN
#endif

typedef float keel_vf4 __attribute__((ext_vector_type(4)));
typedef int keel_vi4 __attribute__((ext_vector_type(4)));
#define VF keel_vf4
#define VI keel_vi4
#define W 4
#define TARGET
#define FN(name) name##_portable
#include "simd_math.h"
#include "vector_loops.h"
#undef TARGET
#undef FN
#ifdef KEEL_X86
// The portable source again with the FMA instruction available, for x86 CPUs that have it.
#define TARGET __attribute__((target("fma")))
#define FN(name) name##_portable_fma
#include "simd_math.h"
#include "vector_loops.h"
#undef TARGET
#undef FN
#endif
#undef VF
#undef VI
#undef W

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
