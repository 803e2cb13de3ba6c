// Direct stride-1 convolution tiles, written once over VF (W lanes) and compiled per level by conv_direct.c.
//
// A zero-padded plane lays every tap's input side by side: output (or input-gradient) position q of a grid whose
// rows are the padded width reads tap t's value at q + offsets[t]. Channels go on the tile's rows (one weight
// broadcast each), grid positions on its lanes (plain loads from the plane), so nothing is gathered or packed
// besides the weights. The arithmetic per element is the im2col GEMM's: see conv_direct.c.

#if W == 16
#define CD_FORWARD_ROWS 8
#define CD_FORWARD_VECTORS 3
#define CD_GRADIENT_ROWS 4
#define CD_GRADIENT_VECTORS 3
#elif W == 8
#define CD_FORWARD_ROWS 4
#define CD_FORWARD_VECTORS 3
#define CD_GRADIENT_ROWS 2
#define CD_GRADIENT_VECTORS 3
#else
#define CD_FORWARD_ROWS 4
#define CD_FORWARD_VECTORS 4
#define CD_GRADIENT_ROWS 2
#define CD_GRADIENT_VECTORS 4
#endif

static TARGET void FN(conv_direct_tile_size)(int *forwardRows, int *gradientRows, int *lanes) {
    *forwardRows = CD_FORWARD_ROWS;
    *gradientRows = CD_GRADIENT_ROWS;
    *lanes = CD_FORWARD_VECTORS * W > CD_GRADIENT_VECTORS * W ? CD_FORWARD_VECTORS * W : CD_GRADIENT_VECTORS * W;
}

/// y[o·ldy + q] for o < ⌈outChannels / rows⌉·rows, q < ⌈positions / lanes⌉·lanes: Σ over (c, t) in order of
/// w[o, c, t] · xp[c·plane + q + offsets[t]], one fused multiply-add chain from +0.
static TARGET void FN(conv_direct_forward)(
    const float *xp, long plane, long channels, const long *offsets, long taps, const float *packed, long outChannels,
    long positions, float *y, long ldy) {
    const long inner = channels * taps;
    for (long o0 = 0; o0 < outChannels; o0 += CD_FORWARD_ROWS) {
        const float *panel = packed + o0 * inner;
        for (long q0 = 0; q0 < positions; q0 += CD_FORWARD_VECTORS * W) {
            VF acc[CD_FORWARD_ROWS][CD_FORWARD_VECTORS];
            for (int r = 0; r < CD_FORWARD_ROWS; r++)
                for (int v = 0; v < CD_FORWARD_VECTORS; v++) acc[r][v] = (VF)0.0f;
            const float *w = panel;
            for (long c = 0; c < channels; c++) {
                const float *xc = xp + c * plane + q0;
                for (long t = 0; t < taps; t++) {
                    const float *s = xc + offsets[t];
                    VF b[CD_FORWARD_VECTORS];
                    for (int v = 0; v < CD_FORWARD_VECTORS; v++) __builtin_memcpy(&b[v], s + v * W, sizeof(VF));
                    for (int r = 0; r < CD_FORWARD_ROWS; r++) {
                        const VF a = (VF)w[r];
                        for (int v = 0; v < CD_FORWARD_VECTORS; v++) acc[r][v] = __builtin_elementwise_fma(a, b[v], acc[r][v]);
                    }
                    w += CD_FORWARD_ROWS;
                }
            }
            for (int r = 0; r < CD_FORWARD_ROWS; r++)
                for (int v = 0; v < CD_FORWARD_VECTORS; v++)
                    __builtin_memcpy(y + (o0 + r) * ldy + q0 + v * W, &acc[r][v], sizeof(VF));
        }
    }
}

/// dx[c·ldx + g] for c < ⌈channels / rows⌉·rows, g < ⌈positions / lanes⌉·lanes: for each tap t in order, the
/// chain of fused multiply-adds over o in order (from +0) of w[o, c, t] · dyp[o·plane + g + offsets[t]], added to a
/// running sum from +0.
static TARGET void FN(conv_direct_input_gradient)(
    const float *dyp, long plane, long outChannels, const long *offsets, long taps, const float *packed, long channels,
    long positions, float *dx, long ldx) {
    const long inner = taps * outChannels;
    for (long c0 = 0; c0 < channels; c0 += CD_GRADIENT_ROWS) {
        const float *panel = packed + c0 * inner;
        for (long g0 = 0; g0 < positions; g0 += CD_GRADIENT_VECTORS * W) {
            VF acc[CD_GRADIENT_ROWS][CD_GRADIENT_VECTORS];
            for (int r = 0; r < CD_GRADIENT_ROWS; r++)
                for (int v = 0; v < CD_GRADIENT_VECTORS; v++) acc[r][v] = (VF)0.0f;
            const float *w = panel;
            for (long t = 0; t < taps; t++) {
                VF part[CD_GRADIENT_ROWS][CD_GRADIENT_VECTORS];
                for (int r = 0; r < CD_GRADIENT_ROWS; r++)
                    for (int v = 0; v < CD_GRADIENT_VECTORS; v++) part[r][v] = (VF)0.0f;
                const float *st = dyp + g0 + offsets[t];
                for (long o = 0; o < outChannels; o++) {
                    const float *s = st + o * plane;
                    VF b[CD_GRADIENT_VECTORS];
                    for (int v = 0; v < CD_GRADIENT_VECTORS; v++) __builtin_memcpy(&b[v], s + v * W, sizeof(VF));
                    for (int r = 0; r < CD_GRADIENT_ROWS; r++) {
                        const VF a = (VF)w[r];
                        for (int v = 0; v < CD_GRADIENT_VECTORS; v++) part[r][v] = __builtin_elementwise_fma(a, b[v], part[r][v]);
                    }
                    w += CD_GRADIENT_ROWS;
                }
                for (int r = 0; r < CD_GRADIENT_ROWS; r++)
                    for (int v = 0; v < CD_GRADIENT_VECTORS; v++) acc[r][v] = acc[r][v] + part[r][v];
            }
            for (int r = 0; r < CD_GRADIENT_ROWS; r++)
                for (int v = 0; v < CD_GRADIENT_VECTORS; v++)
                    __builtin_memcpy(dx + (c0 + r) * ldx + g0 + v * W, &acc[r][v], sizeof(VF));
        }
    }
}

#if W == 16
#define CD_WEIGHT_WIDE 1
#else
#define CD_WEIGHT_WIDE 0
#endif

/// One 3 × 3 weight-gradient tile: the 9 taps of one input channel × NV·W output channels from o0.
#define CD_WEIGHT_TILE(NV)                                                                                          \
    do {                                                                                                            \
        VF acc[9][NV];                                                                                              \
        for (int t = 0; t < 9; t++)                                                                                 \
            for (int v = 0; v < NV; v++) {                                                                          \
                if (accumulate) __builtin_memcpy(&acc[t][v], dw + t * ldw + o0 + v * W, sizeof(VF));                \
                else acc[t][v] = (VF)0.0f;                                                                          \
            }                                                                                                       \
        for (long q = 0; q < positions; q++) {                                                                      \
            VF b[NV];                                                                                               \
            for (int v = 0; v < NV; v++) __builtin_memcpy(&b[v], dyt + q * ldt + o0 + v * W, sizeof(VF));           \
            const float *rows[3] = {xc + q, xc + q + width, xc + q + 2 * width};                                    \
            for (int t = 0; t < 9; t++) {                                                                           \
                const VF a = (VF)rows[t / 3][t % 3];                                                                \
                for (int v = 0; v < NV; v++) acc[t][v] = __builtin_elementwise_fma(b[v], a, acc[t][v]);             \
            }                                                                                                       \
        }                                                                                                           \
        for (int t = 0; t < 9; t++)                                                                                 \
            for (int v = 0; v < NV; v++) __builtin_memcpy(dw + t * ldw + o0 + v * W, &acc[t][v], sizeof(VF));       \
    } while (0)

/// dw[t·ldw + o] (t < 9, o < outPadded, a multiple of W) ← (accumulate ? dw : +0) + the chain over q < positions
/// in order of fused multiply-adds dyt[q·ldt + o] · xc[q + (t / 3)·width + t % 3]: a 3 × 3 kernel's weight gradient
/// for one input channel (plane xc, grid rows `width` apart) against dy laid out position-major.
static TARGET void FN(conv_direct_weight_gradient3x3)(
    const float *xc, long width, const float *dyt, long ldt, long outPadded, long positions, float *dw, long ldw,
    int accumulate) {
    long o0 = 0;
#if CD_WEIGHT_WIDE
    for (; o0 + 2 * W <= outPadded; o0 += 2 * W) CD_WEIGHT_TILE(2);
#endif
    for (; o0 < outPadded; o0 += W) CD_WEIGHT_TILE(1);
}

#undef CD_WEIGHT_TILE
#undef CD_WEIGHT_WIDE
#undef CD_FORWARD_ROWS
#undef CD_FORWARD_VECTORS
#undef CD_GRADIENT_ROWS
#undef CD_GRADIENT_VECTORS
