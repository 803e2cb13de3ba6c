// Activation kernels at each instruction-set level: activation_math.h compiled for AVX-512 (16 lanes),
// AVX2 + FMA (8 lanes) and portable C (4 lanes), chosen at run time.
#include "CKeelKernels.h"
#include <string.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

/// 1/v: the 14-bit hardware estimate and one Newton–Raphson step (≈ 1 ulp).
__attribute__((target("avx512f"), always_inline)) static inline __attribute__((ext_vector_type(16))) float
recip16(__attribute__((ext_vector_type(16))) float v) {
    __attribute__((ext_vector_type(16))) float r = (__attribute__((ext_vector_type(16))) float)_mm512_rcp14_ps((__m512)v);
    __attribute__((ext_vector_type(16))) float e = 1.0f - v * r;  // NaN only for v = ±0 or ±inf: keep the exact estimate
    return e == e ? r + r * e : r;
}

/// 1/v: the 12-bit hardware estimate and one Newton–Raphson step (≈ 1–2 ulp).
__attribute__((target("avx2,fma"), always_inline)) static inline __attribute__((ext_vector_type(8))) float
recip8(__attribute__((ext_vector_type(8))) float v) {
    __attribute__((ext_vector_type(8))) float r = (__attribute__((ext_vector_type(8))) float)_mm256_rcp_ps((__m256)v);
    __attribute__((ext_vector_type(8))) float e = 1.0f - v * r;
    return e == e ? r + r * e : r;
}

typedef float vf16 __attribute__((ext_vector_type(16)));
typedef int vi16 __attribute__((ext_vector_type(16)));
#define VF vf16
#define VI vi16
#define W 16
#define TARGET __attribute__((target("avx512f,avx512dq,avx512vl,fma")))
#define FN(name) name##_avx512
#define RECIP(v) recip16(v)
#include "activation_math.h"
#undef RECIP
#undef VF
#undef VI
#undef W
#undef TARGET
#undef FN

typedef float vf8 __attribute__((ext_vector_type(8)));
typedef int vi8 __attribute__((ext_vector_type(8)));
#define VF vf8
#define VI vi8
#define W 8
#define TARGET __attribute__((target("avx2,fma")))
#define FN(name) name##_avx2
#define RECIP(v) recip8(v)
#include "activation_math.h"
#undef RECIP
#undef VF
#undef VI
#undef W
#undef TARGET
#undef FN
#define KEEL_HAVE_X86_ACTIVATIONS 1
#endif

typedef float vf4 __attribute__((ext_vector_type(4)));
typedef int vi4 __attribute__((ext_vector_type(4)));
#define VF vf4
#define VI vi4
#define W 4
#define TARGET
#define FN(name) name##_portable
#define RECIP(v) (1.0f / (v))
#include "activation_math.h"
#undef RECIP
#undef VF
#undef VI
#undef W
#undef TARGET
#undef FN

void keel_activation_forward(int kind, const float *x, float *y, long n, const float *params) {
    if (kind < 0 || kind >= KEEL_ACT_COUNT) return;
#ifdef KEEL_HAVE_X86_ACTIVATIONS
    switch (keel_cpu_level()) {
    case 2: forward_table_avx512[kind](x, y, n, params); return;
    case 1: forward_table_avx2[kind](x, y, n, params); return;
    default: break;
    }
#endif
    forward_table_portable[kind](x, y, n, params);
}

void keel_activation_backward(int kind, const float *x, const float *y, const float *g, float *dx, long n,
                              const float *params) {
    if (kind < 0 || kind >= KEEL_ACT_COUNT) return;
#ifdef KEEL_HAVE_X86_ACTIVATIONS
    switch (keel_cpu_level()) {
    case 2: backward_table_avx512[kind](x, y, g, dx, n, params); return;
    case 1: backward_table_avx2[kind](x, y, g, dx, n, params); return;
    default: break;
    }
#endif
    backward_table_portable[kind](x, y, g, dx, n, params);
}
