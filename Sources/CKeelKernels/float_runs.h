// Short runs of floats (an image row) copied and added in vector registers, inlined where they are used.
#ifndef KEEL_FLOAT_RUNS_H
#define KEEL_FLOAT_RUNS_H
#include <string.h>

typedef float keel_run8 __attribute__((ext_vector_type(8)));
typedef float keel_run4 __attribute__((ext_vector_type(4)));

/// n floats from src to dst: short runs (an output row) in vector registers. A run of 4…16 floats is two
/// overlapping copies of its first and last 4 or 8 (nothing outside the run is touched).
__attribute__((always_inline)) static inline void copy_run(float *dst, const float *src, long n) {
    for (; n > 16; n -= 8, dst += 8, src += 8) {
        keel_run8 v;
        memcpy(&v, src, sizeof(v));
        memcpy(dst, &v, sizeof(v));
    }
    if (n >= 8) {
        keel_run8 head, tail;
        memcpy(&head, src, sizeof(head));
        memcpy(&tail, src + n - 8, sizeof(tail));
        memcpy(dst, &head, sizeof(head));
        memcpy(dst + n - 8, &tail, sizeof(tail));
    } else if (n >= 4) {
        keel_run4 head, tail;
        memcpy(&head, src, sizeof(head));
        memcpy(&tail, src + n - 4, sizeof(tail));
        memcpy(dst, &head, sizeof(head));
        memcpy(dst + n - 4, &tail, sizeof(tail));
    } else {
        switch (n) {  // not a loop, which the compiler would turn back into a memcpy call
        case 3: dst[2] = src[2]; // fallthrough
        case 2: dst[1] = src[1]; // fallthrough
        case 1: dst[0] = src[0]; // fallthrough
        default: break;
        }
    }
}

/// dst[i] += src[i] for a short run: 8 at a time, then 4, then one by one.
__attribute__((always_inline)) static inline void add_run(float *dst, const float *src, long n) {
    for (; n >= 8; n -= 8, dst += 8, src += 8) {
        keel_run8 d, s;
        memcpy(&d, dst, sizeof(d));
        memcpy(&s, src, sizeof(s));
        d = d + s;
        memcpy(dst, &d, sizeof(d));
    }
    if (n >= 4) {
        keel_run4 d, s;
        memcpy(&d, dst, sizeof(d));
        memcpy(&s, src, sizeof(s));
        d = d + s;
        memcpy(dst, &d, sizeof(d));
        dst += 4; src += 4; n -= 4;
    }
    switch (n) {
    case 3: dst[2] += src[2]; // fallthrough
    case 2: dst[1] += src[1]; // fallthrough
    case 1: dst[0] += src[0]; // fallthrough
    default: break;
    }
}

#endif
