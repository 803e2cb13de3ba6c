// im2col / col2im for NCHW convolution (one image at a time). Row r = (c·KH + kh)·KW + kw of `col`
// (rows `ldcol` floats apart, so several images can sit side by side) holds, for every output position
// (oh, ow), the input pixel that kernel tap (kh, kw) of channel c sees:
// x[c, oh·SH − PH + kh·DH, ow·SW − PW + kw·DW], or 0 outside the image.
#include "CKeelKernels.h"
#include "dispatch.h"
#include <string.h>

#include "float_runs.h"

__attribute__((always_inline))
static inline void im2col(const float *x, long channels, long height, long width,
                          long kernelH, long kernelW, long padH, long padW,
                          long strideH, long strideW, long dilationH, long dilationW,
                          long outH, long outW, float *col, long ldcol) {
    const long plane = height * width;
    for (long c = 0; c < channels; c++) {
        const float *xc = x + c * plane;
        for (long kh = 0; kh < kernelH; kh++) {
            for (long kw = 0; kw < kernelW; kw++) {
                const long dx = kw * dilationW - padW;
                // Output columns whose input column lies inside [0, width).
                long owBegin = 0, owEnd = outW;
                while (owBegin < outW && owBegin * strideW + dx < 0) owBegin++;
                while (owEnd > owBegin && (owEnd - 1) * strideW + dx >= width) owEnd--;
                for (long oh = 0; oh < outH; oh++) {
                    const long ih = oh * strideH - padH + kh * dilationH;
                    float *dst = col + oh * outW;  // within the current row of col
                    if (ih < 0 || ih >= height) {
                        memset(dst, 0, (size_t)outW * sizeof(float));
                        continue;
                    }
                    const float *src = xc + ih * width;
                    for (long ow = 0; ow < owBegin; ow++) dst[ow] = 0.0f;
                    if (strideW == 1) {
                        copy_run(dst + owBegin, src + dx + owBegin, owEnd - owBegin);
                    } else {
                        for (long ow = owBegin; ow < owEnd; ow++) dst[ow] = src[ow * strideW + dx];
                    }
                    for (long ow = owEnd; ow < outW; ow++) dst[ow] = 0.0f;
                }
                col += ldcol;
            }
        }
    }
}

__attribute__((always_inline))
static inline void col2im(const float *col, long channels, long height, long width,
                          long kernelH, long kernelW, long padH, long padW,
                          long strideH, long strideW, long dilationH, long dilationW,
                          long outH, long outW, long ldcol, float *dx) {
    const long plane = height * width;
    for (long c = 0; c < channels; c++) {
        float *dc = dx + c * plane;
        for (long kh = 0; kh < kernelH; kh++) {
            for (long kw = 0; kw < kernelW; kw++) {
                const long shift = kw * dilationW - padW;
                long owBegin = 0, owEnd = outW;
                while (owBegin < outW && owBegin * strideW + shift < 0) owBegin++;
                while (owEnd > owBegin && (owEnd - 1) * strideW + shift >= width) owEnd--;
                for (long oh = 0; oh < outH; oh++) {
                    const long ih = oh * strideH - padH + kh * dilationH;
                    if (ih < 0 || ih >= height) continue;
                    const float *src = col + oh * outW;
                    float *dst = dc + ih * width;
                    if (strideW == 1) {
                        add_run(dst + shift + owBegin, src + owBegin, owEnd - owBegin);
                    } else {
                        for (long ow = owBegin; ow < owEnd; ow++) dst[ow * strideW + shift] += src[ow];
                    }
                }
                col += ldcol;
            }
        }
    }
}

// The loops above compiled twice: plain, and with AVX2 available (wider moves for the short runs). Copies
// and element-wise adds give the same bits either way.
#define KEEL_IM2COL_ARGS const float *x, long channels, long height, long width, long kernelH, long kernelW, \
    long padH, long padW, long strideH, long strideW, long dilationH, long dilationW, long outH, long outW, float *col, long ldcol
#define KEEL_COL2IM_ARGS const float *col, long channels, long height, long width, long kernelH, long kernelW, \
    long padH, long padW, long strideH, long strideW, long dilationH, long dilationW, long outH, long outW, long ldcol, float *dx

#if defined(__x86_64__) || defined(_M_X64)
__attribute__((target("avx2,fma"))) static void im2col_avx2(KEEL_IM2COL_ARGS) {
    im2col(x, channels, height, width, kernelH, kernelW, padH, padW, strideH, strideW, dilationH, dilationW, outH, outW, col, ldcol);
}
__attribute__((target("avx2,fma"))) static void col2im_avx2(KEEL_COL2IM_ARGS) {
    col2im(col, channels, height, width, kernelH, kernelW, padH, padW, strideH, strideW, dilationH, dilationW, outH, outW, ldcol, dx);
}
#define KEEL_USE_AVX2 (keel_kernel_variant() == KEEL_VARIANT_AVX2 || keel_kernel_variant() == KEEL_VARIANT_AVX512)
#else
#define KEEL_USE_AVX2 0
#define im2col_avx2 im2col
#define col2im_avx2 col2im
#endif

void keel_im2col(KEEL_IM2COL_ARGS) {
    if (KEEL_USE_AVX2) im2col_avx2(x, channels, height, width, kernelH, kernelW, padH, padW, strideH, strideW, dilationH, dilationW, outH, outW, col, ldcol);
    else im2col(x, channels, height, width, kernelH, kernelW, padH, padW, strideH, strideW, dilationH, dilationW, outH, outW, col, ldcol);
}

void keel_col2im(KEEL_COL2IM_ARGS) {
    if (KEEL_USE_AVX2) col2im_avx2(col, channels, height, width, kernelH, kernelW, padH, padW, strideH, strideW, dilationH, dilationW, outH, outW, ldcol, dx);
    else col2im(col, channels, height, width, kernelH, kernelW, padH, padW, strideH, strideW, dilationH, dilationW, outH, outW, ldcol, dx);
}
