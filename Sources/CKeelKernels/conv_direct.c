// Direct stride-1 convolution (conv_direct_loops.h, compiled per level) and the copies around it.
//
// Each output element is the chain the im2col GEMM gives it — c ← fma(w, x, c) over (channel, tap) in order from +0,
// zero-padding taps included — and each input-gradient element the GEMM's chain over output channels per tap, added
// tap by tap from +0 as col2im adds; the taps col2im skips (outside the output) add an exact +0 here. So both give the
// im2col path's bits at every level, without building the 9×-larger im2col matrix.
#include "CKeelKernels.h"
#include "dispatch.h"
#include "float_runs.h"
#include <string.h>

#pragma clang fp contract(off)

#define KEEL_LEVEL_BODY "conv_direct_loops.h"
#include "per_level.h"

/// The level's shape `shape` (rows, positions per tile).
static void shape_of(int gradient, int shape, int *rows, int *lanes) {
#define CALL(level) conv_direct_shape_##level(gradient, shape, rows, lanes)
    KEEL_LEVEL_DISPATCH(CALL)
#undef CALL
}

int keel_conv_direct_shape(int gradient, long positions, int *rows, int *lanes) {
    int best = 0;
    long bestPadded = 0;
    for (int shape = 0; shape < 2; shape++) {
        int r, l;
        shape_of(gradient, shape, &r, &l);
        const long padded = (positions + l - 1) / l * l;
        if (shape == 0 || padded < bestPadded) {
            best = shape;
            bestPadded = padded;
        }
    }
    shape_of(gradient, best, rows, lanes);
    return best;
}

void keel_conv_direct_pack_forward(const float *w, long outChannels, long inner, int rows, float *dst) {
    for (long o0 = 0; o0 < outChannels; o0 += rows) {
        for (long k = 0; k < inner; k++) {
            for (int r = 0; r < rows; r++) *dst++ = o0 + r < outChannels ? w[(o0 + r) * inner + k] : 0.0f;
        }
    }
}

void keel_conv_direct_pack_gradient(const float *w, long outChannels, long channels, long taps, int rows, float *dst) {
    for (long c0 = 0; c0 < channels; c0 += rows) {
        for (long t = 0; t < taps; t++) {
            for (long o = 0; o < outChannels; o++) {
                for (int r = 0; r < rows; r++) {
                    *dst++ = c0 + r < channels ? w[(o * channels + c0 + r) * taps + t] : 0.0f;
                }
            }
        }
    }
}

void keel_conv_direct_forward(int shape, const float *xp, long plane, long channels, const long *offsets, long taps,
                              const float *packed, long outChannels, long positions, float *y, long ldy) {
#define CALL(level) \
    conv_direct_forward_##level(shape, xp, plane, channels, offsets, taps, packed, outChannels, positions, y, ldy)
    KEEL_LEVEL_DISPATCH(CALL)
#undef CALL
}

void keel_conv_direct_input_gradient(int shape, const float *dyp, long plane, long outChannels, const long *offsets,
                                     long taps, const float *packed, long channels, long positions, float *dx, long ldx) {
#define CALL(level) \
    conv_direct_input_gradient_##level(shape, dyp, plane, outChannels, offsets, taps, packed, channels, positions, dx, ldx)
    KEEL_LEVEL_DISPATCH(CALL)
#undef CALL
}

int keel_conv_direct_lanes(void) {
#ifdef KEEL_X86
    switch (keel_kernel_variant()) {
    case KEEL_VARIANT_AVX512: return 16;
    case KEEL_VARIANT_AVX2: return 8;
    default: return 4;
    }
#else
    return 4;
#endif
}

void keel_conv_direct_weight_gradient3x3(const float *xc, long width, long phasePlane, const float *dyt, long ldt,
                                         long outPadded, long outHeight, long outWidth, float *dw, long ldw,
                                         int accumulate) {
#define CALL(level)                                                                                               \
    conv_direct_weight_gradient3x3_##level(xc, width, phasePlane, dyt, ldt, outPadded, outHeight, outWidth, dw, ldw, \
                                           accumulate)
    KEEL_LEVEL_DISPATCH(CALL)
#undef CALL
}

void keel_pad_planes(const float *x, long channels, long channelStride, long height, long width, long top, long left,
                     float *dst, long paddedHeight, long paddedWidth) {
    const long plane = paddedHeight * paddedWidth;
    for (long c = 0; c < channels; c++) {
        const float *src = x + c * channelStride;
        float *p = dst + c * plane;
        memset(p, 0, (size_t)(top * paddedWidth) * sizeof(float));
        for (long i = 0; i < height; i++) {
            float *row = p + (top + i) * paddedWidth;
            for (long j = 0; j < left; j++) row[j] = 0.0f;
            copy_run(row + left, src + i * width, width);
            for (long j = left + width; j < paddedWidth; j++) row[j] = 0.0f;
        }
        memset(p + (top + height) * paddedWidth, 0, (size_t)((paddedHeight - top - height) * paddedWidth) * sizeof(float));
    }
}

/// dst[s] = src[2·s] for s < n, four at a time (reading no further than src[2·(n − 1)]).
static void gather_even(float *restrict dst, const float *restrict src, long n) {
    long s = 0;
    for (; s + 4 < n; s += 4) {
        keel_run4 low, high;
        memcpy(&low, src + 2 * s, sizeof(low));
        memcpy(&high, src + 2 * s + 4, sizeof(high));
        const keel_run4 even = __builtin_shufflevector(low, high, 0, 2, 4, 6);
        memcpy(dst + s, &even, sizeof(even));
    }
    for (; s < n; s++) dst[s] = src[2 * s];
}

void keel_pad_phases(const float *x, long channels, long channelStride, long height, long width, long top, long left,
                     long strideH, long strideW, long phasesH, long phasesW, float *dst, long phaseHeight, long phaseWidth) {
    const long phasePlane = phaseHeight * phaseWidth;
    for (long c = 0; c < channels; c++) {
        for (long a = 0; a < phasesH; a++) {
            for (long b = 0; b < phasesW; b++) {
                float *p = dst + ((c * phasesH + a) * phasesW + b) * phasePlane;
                for (long r = 0; r < phaseHeight; r++) {
                    float *row = p + r * phaseWidth;
                    const long i = r * strideH + a - top;
                    if (i < 0 || i >= height) {
                        memset(row, 0, (size_t)phaseWidth * sizeof(float));
                        continue;
                    }
                    // Columns s with 0 ≤ s·strideW + b − left < width: [first, end); zeros on either side.
                    const long shift = b - left;
                    long first = shift >= 0 ? 0 : (-shift + strideW - 1) / strideW;
                    long end = (width - shift + strideW - 1) / strideW;
                    if (first > phaseWidth) first = phaseWidth;
                    if (end > phaseWidth) end = phaseWidth;
                    if (end < first) end = first;
                    const float *src = x + c * channelStride + i * width + shift;
                    for (long s = 0; s < first; s++) row[s] = 0.0f;
                    if (strideW == 2)
                        gather_even(row + first, src + 2 * first, end - first);
                    else
                        for (long s = first; s < end; s++) row[s] = src[s * strideW];
                    for (long s = end; s < phaseWidth; s++) row[s] = 0.0f;
                }
            }
        }
    }
}

void keel_unpad_planes(const float *grid, long ldg, long channels, long height, long width, long gridWidth,
                       const float *add, int relu, float *dst) {
    for (long c = 0; c < channels; c++) {
        const float b = add ? add[c] : 0.0f;
        for (long i = 0; i < height; i++) {
            const float *src = grid + c * ldg + i * gridWidth;
            float *out = dst + (c * height + i) * width;
            if (add && relu) {
                for (long j = 0; j < width; j++) {
                    const float v = src[j] + b;
                    out[j] = v < 0.0f ? 0.0f : v;
                }
            } else if (add) {
                for (long j = 0; j < width; j++) out[j] = src[j] + b;
            } else if (relu) {
                for (long j = 0; j < width; j++) out[j] = src[j] < 0.0f ? 0.0f : src[j];
            } else {
                copy_run(out, src, width);
            }
        }
    }
}
