// Direct stride-1 convolution tiles, written once over VF (W lanes) and compiled per level by conv_direct.c.
//
// A zero-padded plane lays every tap's input side by side: output (or input-gradient) position q of a grid whose
// rows are the padded width reads tap t's value at q + offsets[t]. Channels go on the tile's rows (one weight
// broadcast each), grid positions on its lanes (plain loads from the plane), so nothing is gathered or packed
// besides the weights. The arithmetic per element is the im2col GEMM's: see conv_direct.c.

// Two tile shapes per level — (rows, vectors of W positions) — a tall one, and a wide one that fits small grids (at
// AVX-512, an 8 × 8 map's 80 positions) exactly; the caller picks by the grid's size (keel_conv_direct_shape).
#if W == 16
#define CD_FORWARD_SHAPES(X) X(0, 8, 3) X(1, 4, 5)
#define CD_GRADIENT_SHAPES(X) X(0, 4, 3) X(1, 2, 5)
#elif W == 8
// AVX2 has 16 registers and no broadcast operand: at most 15 accumulators and loaded vectors, one broadcast.
#define CD_FORWARD_SHAPES(X) X(0, 6, 2) X(1, 2, 4)
#define CD_GRADIENT_SHAPES(X) X(0, 3, 2) X(1, 1, 4)
#else
#define CD_FORWARD_SHAPES(X) X(0, 4, 4) X(1, 2, 5)
#define CD_GRADIENT_SHAPES(X) X(0, 2, 4) X(1, 1, 5)
#endif

/// Shape `shape`'s rows and positions per tile.
static TARGET void FN(conv_direct_shape)(int gradient, int shape, int *rows, int *lanes) {
#define CD_SHAPE_CASE(INDEX, R, V) \
    if (shape == INDEX) {          \
        *rows = R;                 \
        *lanes = V * W;            \
    }
    if (gradient) {
        CD_GRADIENT_SHAPES(CD_SHAPE_CASE)
    } else {
        CD_FORWARD_SHAPES(CD_SHAPE_CASE)
    }
#undef CD_SHAPE_CASE
}

/// y[o·ldy + q] for o < ⌈outChannels / R⌉·R, q < ⌈positions / (V·W)⌉·V·W: Σ over (c, t) in order of
/// w[o, c, t] · xp[c·plane + q + offsets[t]], one fused multiply-add chain from +0.
#define CD_FORWARD(INDEX, R, V)                                                                                         \
    static TARGET void FN(conv_direct_forward_##R##x##V)(                                                               \
        const float *xp, long plane, long channels, const long *offsets, long taps, const float *packed,                \
        long outChannels, long positions, float *y, long ldy) {                                                         \
        const long inner = channels * taps;                                                                             \
        for (long o0 = 0; o0 < outChannels; o0 += R) {                                                                  \
            const float *panel = packed + o0 * inner;                                                                   \
            for (long q0 = 0; q0 < positions; q0 += V * W) {                                                            \
                VF acc[R][V];                                                                                           \
                for (int r = 0; r < R; r++)                                                                             \
                    for (int v = 0; v < V; v++) acc[r][v] = (VF)0.0f;                                                   \
                const float *w = panel;                                                                                 \
                for (long c = 0; c < channels; c++) {                                                                   \
                    const float *xc = xp + c * plane + q0;                                                              \
                    for (long t = 0; t < taps; t++) {                                                                   \
                        const float *s = xc + offsets[t];                                                               \
                        VF b[V];                                                                                        \
                        for (int v = 0; v < V; v++) __builtin_memcpy(&b[v], s + v * W, sizeof(VF));                    \
                        for (int r = 0; r < R; r++) {                                                                   \
                            const VF a = (VF)w[r];                                                                      \
                            for (int v = 0; v < V; v++) acc[r][v] = __builtin_elementwise_fma(a, b[v], acc[r][v]);      \
                        }                                                                                               \
                        w += R;                                                                                         \
                    }                                                                                                   \
                }                                                                                                       \
                for (int r = 0; r < R; r++)                                                                             \
                    for (int v = 0; v < V; v++) __builtin_memcpy(y + (o0 + r) * ldy + q0 + v * W, &acc[r][v], sizeof(VF)); \
            }                                                                                                           \
        }                                                                                                               \
    }
CD_FORWARD_SHAPES(CD_FORWARD)
#undef CD_FORWARD

/// dx[c·ldx + g] for c < ⌈channels / R⌉·R, g < ⌈positions / (V·W)⌉·V·W: for each tap t in order, the chain of
/// fused multiply-adds over o in order (from +0) of w[o, c, t] · dyp[o·plane + g + offsets[t]], added to a running
/// sum from +0.
#define CD_GRADIENT(INDEX, R, V)                                                                                        \
    static TARGET void FN(conv_direct_input_gradient_##R##x##V)(                                                        \
        const float *dyp, long plane, long outChannels, const long *offsets, long taps, const float *packed,            \
        long channels, long positions, float *dx, long ldx) {                                                           \
        const long inner = taps * outChannels;                                                                          \
        for (long c0 = 0; c0 < channels; c0 += R) {                                                                     \
            const float *panel = packed + c0 * inner;                                                                   \
            for (long g0 = 0; g0 < positions; g0 += V * W) {                                                            \
                VF acc[R][V];                                                                                           \
                for (int r = 0; r < R; r++)                                                                             \
                    for (int v = 0; v < V; v++) acc[r][v] = (VF)0.0f;                                                   \
                const float *w = panel;                                                                                 \
                for (long t = 0; t < taps; t++) {                                                                       \
                    VF part[R][V];                                                                                      \
                    for (int r = 0; r < R; r++)                                                                         \
                        for (int v = 0; v < V; v++) part[r][v] = (VF)0.0f;                                              \
                    const float *st = dyp + g0 + offsets[t];                                                            \
                    for (long o = 0; o < outChannels; o++) {                                                            \
                        const float *s = st + o * plane;                                                                \
                        VF b[V];                                                                                        \
                        for (int v = 0; v < V; v++) __builtin_memcpy(&b[v], s + v * W, sizeof(VF));                    \
                        for (int r = 0; r < R; r++) {                                                                   \
                            const VF a = (VF)w[r];                                                                      \
                            for (int v = 0; v < V; v++) part[r][v] = __builtin_elementwise_fma(a, b[v], part[r][v]);    \
                        }                                                                                               \
                        w += R;                                                                                         \
                    }                                                                                                   \
                    for (int r = 0; r < R; r++)                                                                         \
                        for (int v = 0; v < V; v++) acc[r][v] = acc[r][v] + part[r][v];                                 \
                }                                                                                                       \
                for (int r = 0; r < R; r++)                                                                             \
                    for (int v = 0; v < V; v++) __builtin_memcpy(dx + (c0 + r) * ldx + g0 + v * W, &acc[r][v], sizeof(VF)); \
            }                                                                                                           \
        }                                                                                                               \
    }
CD_GRADIENT_SHAPES(CD_GRADIENT)
#undef CD_GRADIENT

static TARGET void FN(conv_direct_forward)(
    int shape, const float *xp, long plane, long channels, const long *offsets, long taps, const float *packed,
    long outChannels, long positions, float *y, long ldy) {
#define CD_CALL(INDEX, R, V) \
    if (shape == INDEX) FN(conv_direct_forward_##R##x##V)(xp, plane, channels, offsets, taps, packed, outChannels, positions, y, ldy);
    CD_FORWARD_SHAPES(CD_CALL)
#undef CD_CALL
}

static TARGET void FN(conv_direct_input_gradient)(
    int shape, const float *dyp, long plane, long outChannels, const long *offsets, long taps, const float *packed,
    long channels, long positions, float *dx, long ldx) {
#define CD_CALL(INDEX, R, V)                                                                                  \
    if (shape == INDEX)                                                                                       \
        FN(conv_direct_input_gradient_##R##x##V)(dyp, plane, outChannels, offsets, taps, packed, channels, positions, dx, ldx);
    CD_GRADIENT_SHAPES(CD_CALL)
#undef CD_CALL
}

#undef CD_FORWARD_SHAPES
#undef CD_GRADIENT_SHAPES

#if W == 16
#define CD_WEIGHT_WIDE 1
#else
#define CD_WEIGHT_WIDE 0
#endif

/// One 3 × 3 weight-gradient tile: the 9 taps of one input channel × NV·W output channels from o0. Tap t reads
/// ROWS[ROW_OF[t]][COLUMN_OF[t]] at grid position q: three rows of the padded plane (stride 1), or six rows of the
/// four phase planes (stride 2).
#define CD_WEIGHT_TILE(NV, ROWS, ROW_OF, COLUMN_OF)                                                                 \
    do {                                                                                                            \
        VF acc[9][NV];                                                                                              \
        for (int t = 0; t < 9; t++)                                                                                 \
            for (int v = 0; v < NV; v++) {                                                                          \
                if (accumulate) __builtin_memcpy(&acc[t][v], dw + t * ldw + o0 + v * W, sizeof(VF));                \
                else acc[t][v] = (VF)0.0f;                                                                          \
            }                                                                                                       \
        const float *dyq = dyt + o0;                                                                                \
        for (long i = 0; i < outHeight; i++) {                                                                      \
            for (long q = i * width; q < i * width + outWidth; q++, dyq += ldt) {                                   \
                VF b[NV];                                                                                           \
                for (int v = 0; v < NV; v++) __builtin_memcpy(&b[v], dyq + v * W, sizeof(VF));                      \
                const float *rows[] = ROWS;                                                                         \
                for (int t = 0; t < 9; t++) {                                                                       \
                    const VF a = (VF)rows[ROW_OF[t]][COLUMN_OF[t]];                                                 \
                    for (int v = 0; v < NV; v++) acc[t][v] = __builtin_elementwise_fma(b[v], a, acc[t][v]);         \
                }                                                                                                   \
            }                                                                                                       \
        }                                                                                                           \
        for (int t = 0; t < 9; t++)                                                                                 \
            for (int v = 0; v < NV; v++) __builtin_memcpy(dw + t * ldw + o0 + v * W, &acc[t][v], sizeof(VF));       \
    } while (0)

// Stride 1: tap (kh, kw) at row kh, column kw of the padded plane.
#define CD_PLANE_ROWS {xc + q, xc + q + width, xc + q + 2 * width}
static const int FN(cd_plane_row)[9] = {0, 0, 0, 1, 1, 1, 2, 2, 2};
static const int FN(cd_plane_column)[9] = {0, 1, 2, 0, 1, 2, 0, 1, 2};
// Stride 2: tap (kh, kw) in phase (kh mod 2, kw mod 2), kh div 2 rows and kw div 2 columns on; the rows are phases
// (0,0), (0,1), (1,0), (1,1), then (0,0) and (0,1) one row down.
#define CD_PHASE_ROWS                                                                                               \
    {xc + q, xc + phasePlane + q, xc + 2 * phasePlane + q, xc + 3 * phasePlane + q, xc + q + width,                 \
     xc + phasePlane + q + width}
static const int FN(cd_phase_row)[9] = {0, 1, 0, 2, 3, 2, 4, 5, 4};
static const int FN(cd_phase_column)[9] = {0, 0, 1, 0, 0, 1, 0, 0, 1};

/// dw[t·ldw + o] (t < 9, o < outPadded, a multiple of W) ← (accumulate ? dw : +0) + the chain over the output
/// positions (i, j), i < outHeight, j < outWidth, in order, of fused multiply-adds dyt[(i·outWidth + j)·ldt + o] ·
/// x̃(i·width + j, t): a 3 × 3 kernel's weight gradient for one input channel against dy laid out position-major.
/// Stride 1 (phasePlane 0): x̃(q, t) = xc[q + (t / 3)·width + t % 3] (grid rows `width` apart). Stride 2: xc holds
/// the channel's four phase planes, `phasePlane` floats apart, rows `width` apart.
static TARGET void FN(conv_direct_weight_gradient3x3)(
    const float *xc, long width, long phasePlane, const float *dyt, long ldt, long outPadded, long outHeight,
    long outWidth, float *dw, long ldw, int accumulate) {
    long o0 = 0;
    if (phasePlane == 0) {
#if CD_WEIGHT_WIDE
        for (; o0 + 2 * W <= outPadded; o0 += 2 * W) CD_WEIGHT_TILE(2, CD_PLANE_ROWS, FN(cd_plane_row), FN(cd_plane_column));
#endif
        for (; o0 < outPadded; o0 += W) CD_WEIGHT_TILE(1, CD_PLANE_ROWS, FN(cd_plane_row), FN(cd_plane_column));
    } else {
#if CD_WEIGHT_WIDE
        for (; o0 + 2 * W <= outPadded; o0 += 2 * W) CD_WEIGHT_TILE(2, CD_PHASE_ROWS, FN(cd_phase_row), FN(cd_phase_column));
#endif
        for (; o0 < outPadded; o0 += W) CD_WEIGHT_TILE(1, CD_PHASE_ROWS, FN(cd_phase_row), FN(cd_phase_column));
    }
}

#undef CD_PLANE_ROWS
#undef CD_PHASE_ROWS
#undef CD_WEIGHT_TILE
#undef CD_WEIGHT_WIDE
