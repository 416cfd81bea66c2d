/*
 * Pretext's MKL CPU-dispatch override. libtorch's bundled oneMKL asks this internal function
 * whether the CPU is an Intel one and, on AMD CPUs, falls back to its AVX2 kernels. Defining it
 * to return 1 in a library loaded with global symbols before libtorch makes MKL take its AVX-512
 * kernels on AMD CPUs that have them. Numerics are unchanged (same kernels Intel CPUs run).
 *
 * Build (reproducible, no libc needed):
 *   gcc -O2 -shared -fPIC -nostdlib -Wl,-soname,libpretext_mkl_override.so \
 *       -o ../resources/org/pretext/native/linux-x86_64/libpretext_mkl_override.so mkl_cpu_override.c
 */
int mkl_serv_intel_cpu_true(void) {
    return 1;
}
