// Activation kernels at each instruction-set level: simd_math.h and activation_math.h compiled for AVX-512
// (16 lanes), AVX2 + FMA (8 lanes) and portable C (4 lanes), chosen at run time. Every level gives the same
// bits (explicit fused multiply-adds, exact divisions, lanes independent).
#include "CKeelKernels.h"
#include "dispatch.h"

#pragma clang fp contract(off)

#if defined(__x86_64__) || defined(_M_X64)
#define KEEL_X86 1
#endif

#ifdef KEEL_X86
typedef float keel_act_vf16 __attribute__((ext_vector_type(16)));
typedef int keel_act_vi16 __attribute__((ext_vector_type(16)));
#define VF keel_act_vf16
#define VI keel_act_vi16
#define W 16
#define TARGET __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma")))
#define FN(name) name##_avx512
#include "simd_math.h"
#include "activation_math.h"
#undef VF
#undef VI
#undef W
#undef TARGET
#undef FN

typedef float keel_act_vf8 __attribute__((ext_vector_type(8)));
typedef int keel_act_vi8 __attribute__((ext_vector_type(8)));
#define VF keel_act_vf8
#define VI keel_act_vi8
#define W 8
#define TARGET __attribute__((target("avx2,fma")))
#define FN(name) name##_avx2
#include "simd_math.h"
#include "activation_math.h"
#undef VF
#undef VI
#undef W
#undef TARGET
#undef FN
#endif

typedef float keel_act_vf4 __attribute__((ext_vector_type(4)));
typedef int keel_act_vi4 __attribute__((ext_vector_type(4)));
#define VF keel_act_vf4
#define VI keel_act_vi4
#define W 4
#define TARGET
#define FN(name) name##_portable
#include "simd_math.h"
#include "activation_math.h"
#undef TARGET
#undef FN
#ifdef KEEL_X86
#define TARGET __attribute__((target("fma")))
#define FN(name) name##_portable_fma
#include "simd_math.h"
#include "activation_math.h"
#undef TARGET
#undef FN
#endif
#undef VF
#undef VI
#undef W

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
