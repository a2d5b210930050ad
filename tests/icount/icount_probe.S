// A guest program whose instruction counts are known exactly, to check the
// qemu instruction-count plugin (tools/qemu_insn_count). Two regions
// between the plugin's markers (hint #0x7e begin, hint #0x7f end):
//   region 1: a loop of 100 iterations, each 2 loads, 5 multiply-
//             accumulates (vector, by element, scalar, widening, negated),
//             1 store, 1 scalar madd (not a multiply-accumulate for the
//             plugin) and 2 loop instructions;
//   region 2: straight-line, 2 loads, 2 stores, 1 fmls, 1 sdot, 1 udot
//             (by element; QEMU 7.2's disassembler knows neither), 1 add.
// Expected sums, in icount_expected.txt: total 1108, fma 503, loads 202,
// stores 102, others 301. Runs on qemu's default CPU (max: dot product).
        .arch   armv8.2-a+dotprod
        .text
        .globl  main
        .type   main, %function
main:
        adrp    x1, buffer
        add     x1, x1, :lo12:buffer
        mov     x2, #100
        hint    #0x7e
1:      ldr     q0, [x1]
        ldr     q1, [x1, #16]
        fmla    v2.4s, v0.4s, v1.4s
        fmla    v3.4s, v0.4s, v1.s[0]
        fmadd   s4, s5, s6, s4
        smlal   v7.4s, v0.4h, v1.4h
        fnmsub  d8, d9, d10, d8
        madd    x3, x4, x5, x3
        str     q2, [x1, #32]
        subs    x2, x2, #1
        b.ne    1b
        hint    #0x7f
        mov     x9, #7
        hint    #0x7e
        ld1     {v0.4s}, [x1]
        ldp     x3, x4, [x1, #16]
        stp     x3, x4, [x1, #48]
        fmls    v0.4s, v1.4s, v2.4s
        sdot    v4.4s, v1.16b, v2.16b
        udot    v5.4s, v1.16b, v2.4b[1]
        st1     {v0.4s}, [x1]
        add     x9, x9, #1
        hint    #0x7f
        mov     w0, #0
        ret
        .size   main, .-main

        .bss
        .balign 16
buffer: .skip   64
        .section .note.GNU-stack, "", %progbits
