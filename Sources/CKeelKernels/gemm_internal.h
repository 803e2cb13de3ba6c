// Internal to the GEMM: packing of operands into micro-panels (pack.c), used by the blocked loops (gemm.c).
#ifndef KEEL_GEMM_INTERNAL_H
#define KEEL_GEMM_INTERNAL_H
#include "CKeelKernels.h"

/// Rows [0, mc) × depth [0, kc) of op(A) (A stored transposed when transA) into panels of mr rows: panel p
/// holds, for each k, mr values (zero beyond mc), times alpha unless alpha is 1.
void keel_pack_a(int transA, const float *A, long lda, long mc, long kc, int mr, float alpha, float *dst);
/// Depth [0, kc) × columns [0, nc) of op(B) into panels of nr columns (zero beyond nc).
void keel_pack_b(int transB, const float *B, long ldb, long kc, long nc, int nr, float *dst);

#endif
