// Compiles the header named by KEEL_LEVEL_BODY — code written over VF, VI, W, TARGET and FN (see simd_math.h)
// — once per instruction-set level, after simd_math.h: FN(name) becomes name_avx512 (16 lanes), name_avx2
// (8 lanes), name_portable (4 lanes) and, on x86, name_portable_fma (the portable source compiled with the FMA
// instruction available, used on x86 CPUs that have it). Include it once per translation unit.
#if defined(__x86_64__) || defined(_M_X64)
#define KEEL_X86 1
typedef float keel_level_vf16 __attribute__((ext_vector_type(16)));
typedef int keel_level_vi16 __attribute__((ext_vector_type(16)));
#define VF keel_level_vf16
#define VI keel_level_vi16
#define W 16
#define TARGET __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma")))
#define FN(name) name##_avx512
#include "simd_math.h"
#include KEEL_LEVEL_BODY
#undef VF
#undef VI
#undef W
#undef TARGET
#undef FN

typedef float keel_level_vf8 __attribute__((ext_vector_type(8)));
typedef int keel_level_vi8 __attribute__((ext_vector_type(8)));
#define VF keel_level_vf8
#define VI keel_level_vi8
#define W 8
#define TARGET __attribute__((target("avx2,fma")))
#define FN(name) name##_avx2
#include "simd_math.h"
#include KEEL_LEVEL_BODY
#undef VF
#undef VI
#undef W
#undef TARGET
#undef FN
#endif

typedef float keel_level_vf4 __attribute__((ext_vector_type(4)));
typedef int keel_level_vi4 __attribute__((ext_vector_type(4)));
#define VF keel_level_vf4
#define VI keel_level_vi4
#define W 4
#define TARGET
#define FN(name) name##_portable
#include "simd_math.h"
#include KEEL_LEVEL_BODY
#undef TARGET
#undef FN
#ifdef KEEL_X86
#define TARGET __attribute__((target("fma")))
#define FN(name) name##_portable_fma
#include "simd_math.h"
#include KEEL_LEVEL_BODY
#undef TARGET
#undef FN
#endif
#undef VF
#undef VI
#undef W
