# Bare-metal Cortex-M55 with Helium (MVE): fp32 and int8 convolution and
# depthwise, int8 average pooling and ADD on vectors; the rest stays scalar.
# Chosen by toolchains/cortex-m55.cmake, whose -mcpu=cortex-m55 already
# enables MVE, so no options here.
set(SMALL_ISA_COMPILE_OPTIONS "")
small_cpu_matches(SMALL_ISA_RUNS_HERE "^cortex-m55$")
set(SMALL_ISA_PREFERENCE 10)
