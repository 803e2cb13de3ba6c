// Internal: which compiled variant of a kernel runs. The portable level has two on x86: the plain one and
// the same source compiled with the FMA instruction available (used when the CPU has it); both give the
// same bits, since the portable code writes every fused multiply-add explicitly.
#ifndef KEEL_DISPATCH_H
#define KEEL_DISPATCH_H

enum { KEEL_VARIANT_PORTABLE = 0, KEEL_VARIANT_PORTABLE_FMA, KEEL_VARIANT_AVX2, KEEL_VARIANT_AVX512 };

/// The variant for the calling thread's level (keel_cpu_level()).
int keel_kernel_variant(void);

/// Runs CALL(level) for the calling thread's variant — avx512, avx2, portable_fma or portable, the suffixes that
/// per_level.h gives a kernel — then returns from the enclosing function.
#if defined(__x86_64__) || defined(_M_X64)
#define KEEL_LEVEL_DISPATCH(CALL)                                  \
    switch (keel_kernel_variant()) {                               \
    case KEEL_VARIANT_AVX512: CALL(avx512); return;                 \
    case KEEL_VARIANT_AVX2: CALL(avx2); return;                     \
    case KEEL_VARIANT_PORTABLE_FMA: CALL(portable_fma); return;     \
    default: CALL(portable); return;                                \
    }
#else
#define KEEL_LEVEL_DISPATCH(CALL) \
    CALL(portable);               \
    return;
#endif

#endif
