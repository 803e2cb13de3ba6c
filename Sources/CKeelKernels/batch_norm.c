// Batch normalization's per-channel loops (batch_norm_loops.h) compiled for AVX-512, AVX2 + FMA and portable C,
// chosen at run time; every level gives the same bits.
#include "CKeelKernels.h"
#include "dispatch.h"

#pragma clang fp contract(off)

typedef float keel_bn_vf8 __attribute__((ext_vector_type(8)));
typedef double keel_bn_vd8 __attribute__((ext_vector_type(8)));

#define KEEL_LEVEL_BODY "batch_norm_loops.h"
#include "per_level.h"


void keel_bn_moments(const float *x, long rows, long stride, long inner, double center, double *sum, double *squares) {
#define CALL(level) bn_moments_##level(x, rows, stride, inner, center, sum, squares)
    KEEL_LEVEL_DISPATCH(CALL)
#undef CALL
}

void keel_bn_gradient_sums(
    const float *dy, const float *x, long rows, long stride, long inner, float mean, float invstd, int relu,
    float reluScale, float reluShift, double *sumDy, double *sumDyXhat) {
#define CALL(level) \
    bn_gradient_sums_##level(dy, x, rows, stride, inner, mean, invstd, relu, reluScale, reluShift, sumDy, sumDyXhat)
    KEEL_LEVEL_DISPATCH(CALL)
#undef CALL
}

void keel_bn_normalize(
    const float *x, float *y, long rows, long stride, long inner, float mean, float scale, float shift, int relu) {
#define CALL(level) bn_normalize_##level(x, y, rows, stride, inner, mean, scale, shift, relu)
    KEEL_LEVEL_DISPATCH(CALL)
#undef CALL
}

void keel_bn_input_gradient(
    const float *dy, const float *x, float *dx, long rows, long stride, long inner, float mean, float invstd, float scale,
    float meanDy, float meanDyXhat, int relu, float reluScale, float reluShift) {
#define CALL(level)                                                                                           \
    bn_input_gradient_##level(dy, x, dx, rows, stride, inner, mean, invstd, scale, meanDy, meanDyXhat, relu, reluScale, \
                              reluShift)
    KEEL_LEVEL_DISPATCH(CALL)
#undef CALL
}
