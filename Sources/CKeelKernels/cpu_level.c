// Which instruction-set level the kernels run at: what the CPU supports, lowered (never raised) by the
// environment variable KEEL_CPU, by a process-wide choice (`keel --cpu`) or by a per-thread override
// (tests, and the thread pool handing the caller's level to its helpers).
#include "CKeelKernels.h"
#include "dispatch.h"
#include <stdlib.h>
#include <string.h>

static int supported_level = -1;     // what the CPU supports; -1: not detected yet
static int environment_level = -1;   // KEEL_CPU, when valid and supported
static int environment_problem = 0;  // KEEL_CPU: 0 fine or unset, 1 unknown name, 2 above what the CPU supports
static int process_level = -1;       // keel_set_process_cpu_level; -1: none
static _Thread_local int thread_level = -1;

static int detect(void) {
#if defined(__x86_64__) || defined(_M_X64)
    __builtin_cpu_init();
    const int fma = __builtin_cpu_supports("fma");
    if (fma && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw"))
        return KEEL_CPU_AVX512;
    if (fma && __builtin_cpu_supports("avx2")) return KEEL_CPU_AVX2;
#endif
    return KEEL_CPU_PORTABLE;
}

int keel_cpu_level_from_name(const char *name) {
    if (name == NULL) return -1;
    if (strcmp(name, "portable") == 0) return KEEL_CPU_PORTABLE;
    if (strcmp(name, "avx2") == 0) return KEEL_CPU_AVX2;
    if (strcmp(name, "avx512") == 0) return KEEL_CPU_AVX512;
    return -1;
}

const char *keel_cpu_level_name(int level) {
    switch (level) {
    case KEEL_CPU_AVX512: return "avx512";
    case KEEL_CPU_AVX2: return "avx2";
    default: return "portable";
    }
}

/// Detects once; every caller sees the same result (the values written are the same on every thread).
static void initialize(void) {
    if (__atomic_load_n(&supported_level, __ATOMIC_ACQUIRE) >= 0) return;
    const int supported = detect();
    int fromEnvironment = -1, problem = 0;
    const char *text = getenv("KEEL_CPU");
    if (text != NULL && text[0] != '\0') {
        fromEnvironment = keel_cpu_level_from_name(text);
        if (fromEnvironment < 0) problem = 1;
        else if (fromEnvironment > supported) { problem = 2; fromEnvironment = -1; }
    }
    __atomic_store_n(&environment_level, fromEnvironment, __ATOMIC_RELAXED);
    __atomic_store_n(&environment_problem, problem, __ATOMIC_RELAXED);
    __atomic_store_n(&supported_level, supported, __ATOMIC_RELEASE);
}

int keel_cpu_supported_level(void) {
    initialize();
    return __atomic_load_n(&supported_level, __ATOMIC_ACQUIRE);
}

int keel_cpu_environment_problem(void) {
    initialize();
    return __atomic_load_n(&environment_problem, __ATOMIC_RELAXED);
}

int keel_cpu_level(void) {
    const int local = thread_level;
    if (local >= 0) return local;
    initialize();
    const int process = __atomic_load_n(&process_level, __ATOMIC_RELAXED);
    if (process >= 0) return process;
    const int fromEnvironment = __atomic_load_n(&environment_level, __ATOMIC_RELAXED);
    if (fromEnvironment >= 0) return fromEnvironment;
    return __atomic_load_n(&supported_level, __ATOMIC_RELAXED);
}

static int clamp_level(int level) {
    const int supported = keel_cpu_supported_level();
    return level > supported ? supported : level;
}

int keel_set_process_cpu_level(int level) {
    if (level < 0) {
        __atomic_store_n(&process_level, -1, __ATOMIC_RELAXED);
        return 0;
    }
    if (level > keel_cpu_supported_level()) return -1;
    __atomic_store_n(&process_level, level, __ATOMIC_RELAXED);
    return 0;
}

void keel_set_cpu_level(int level) { thread_level = level < 0 ? -1 : clamp_level(level); }

int keel_thread_cpu_level(void) { return thread_level; }

static int has_fma = -1;

int keel_kernel_variant(void) {
    switch (keel_cpu_level()) {
    case KEEL_CPU_AVX512: return KEEL_VARIANT_AVX512;
    case KEEL_CPU_AVX2: return KEEL_VARIANT_AVX2;
    default: break;
    }
    int fma = __atomic_load_n(&has_fma, __ATOMIC_RELAXED);
    if (fma < 0) {
#if defined(__x86_64__) || defined(_M_X64)
        __builtin_cpu_init();
        fma = __builtin_cpu_supports("fma") ? 1 : 0;
#else
        fma = 0;
#endif
        __atomic_store_n(&has_fma, fma, __ATOMIC_RELAXED);
    }
    return fma ? KEEL_VARIANT_PORTABLE_FMA : KEEL_VARIANT_PORTABLE;
}
