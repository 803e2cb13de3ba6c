// im2col / col2im for NCHW convolution (one image at a time). Row r = (c·KH + kh)·KW + kw of `col`
// (rows `ldcol` floats apart, so several images can sit side by side) holds, for every output position
// (oh, ow), the input pixel that kernel tap (kh, kw) of channel c sees:
// x[c, oh·SH − PH + kh·DH, ow·SW − PW + kw·DW], or 0 outside the image.
#include "CKeelKernels.h"
#include <string.h>

/// n floats from src to dst: short runs (an output row) as fixed-size pieces the compiler inlines.
static inline void copy_run(float *dst, const float *src, long n) {
    while (n >= 8) {
        memcpy(dst, src, 8 * sizeof(float));
        dst += 8; src += 8; n -= 8;
    }
    if (n >= 4) {
        memcpy(dst, src, 4 * sizeof(float));
        dst += 4; src += 4; n -= 4;
    }
    switch (n) {  // not a loop, which the compiler would turn back into a memcpy call
    case 3: dst[2] = src[2]; // fallthrough
    case 2: dst[1] = src[1]; // fallthrough
    case 1: dst[0] = src[0]; // fallthrough
    default: break;
    }
}

void keel_im2col(const float *x, long channels, long height, long width,
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

void keel_col2im(const float *col, long channels, long height, long width,
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
                        float *d = dst + shift;
                        for (long ow = owBegin; ow < owEnd; ow++) d[ow] += src[ow];
                    } else {
                        for (long ow = owBegin; ow < owEnd; ow++) dst[ow * strideW + shift] += src[ow];
                    }
                }
                col += ldcol;
            }
        }
    }
}
