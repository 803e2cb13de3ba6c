import CKeelKernels
print(String(cString: keel_gemm_kernel_name()))
