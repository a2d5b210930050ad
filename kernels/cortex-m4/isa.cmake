# Bare-metal Cortex-M4 (ARMv7E-M with the DSP extension): int8 convolution on
# SMLAD, depthwise on SMLABB/SMLATT, average pooling on SXTAB16, ADD; the rest
# stays scalar. Chosen by toolchains/cortex-m4.cmake, whose -mcpu=cortex-m4
# already enables the DSP instructions, so no options here.
set(SMALL_ISA_COMPILE_OPTIONS "")
small_cpu_matches(SMALL_ISA_RUNS_HERE "^cortex-m4$")
set(SMALL_ISA_PREFERENCE 10)
