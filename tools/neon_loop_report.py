#!/usr/bin/env python3
"""Counts the instructions of the loops in an ARM kernel object's functions.

For every function whose demangled name PATTERN (a Python regular
expression) matches, each innermost
loop (a backward branch and the instructions from its target to it, holding
no other such range) gets one line:

  loop function=NAME at=0xADDR instructions=N dot=D loads=L stores=S
       stack=K moves=M other=O dot_share=D/N

dot counts the multiply-accumulates (sdot, smlal, smlal2, vmlal; fmla and
vfma/vmla.f32 for the float tiles), loads and
stores the memory instructions, stack those among them addressed off sp
(register spills), moves the register-to-register vector moves. With
--no-spills, exits 1 if a loop with multiply-accumulates (the product
loops, not the requantizing epilogue) touches the stack.

Usage: neon_loop_report.py OBJDUMP OBJECT PATTERN [--no-spills]
e.g.  tools/neon_loop_report.py aarch64-linux-gnu-objdump \\
        build/CMakeFiles/small_kernel_objects.dir/kernels/neondot/conv-i8-5x16-sdot.cpp.o \\
        'conv_i8_sdot_tile<5, 16ul>'
"""
import re
import subprocess
import sys

DOT = re.compile(r"^(sdot|udot|smlal2?|umlal2?|vmlal\.[su]\d+|fmla|vfma\.f32|vmla\.f32)$")
LOAD = re.compile(r"^(ld[1-4r]?\w*|ldp\w*|ldr\w*|ldur\w*|vld\w*|vldr\w*|vldm\w*|pop)")
STORE = re.compile(r"^(st[1-4r]?\w*|stp\w*|str\w*|stur\w*|vst\w*|vstr\w*|vstm\w*|push)")
MOVE = re.compile(r"^(mov|vmov|orr)$")
LINE = re.compile(r"^\s*([0-9a-f]+):\s+(\S+)\s*(.*)$")
# aarch64 b.cond / cbz / tbz; armv7 (Thumb-2) bcond with an optional width.
BRANCH = re.compile(
    r"^(b|b\.\w+|cbn?z|tbn?z|b(eq|ne|cs|cc|hs|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le)"
    r"(\.[nw])?)$")


def functions(objdump, obj):
    out = subprocess.run([objdump, "-d", "-C", "--no-show-raw-insn", obj],
                         check=True, capture_output=True, text=True).stdout
    name, body = None, []
    for line in out.splitlines():
        head = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if head:
            if name:
                yield name, body
            name, body = head.group(1), []
            continue
        m = LINE.match(line)
        if name and m:
            body.append((int(m.group(1), 16), m.group(2), m.group(3)))
    if name:
        yield name, body


def loops(body):
    """The innermost loops: backward branches whose range holds no other."""
    spans = []
    for addr, op, args in body:
        target = re.search(r"\b([0-9a-f]+) <", args)
        # Conditional branches only: an unconditional one jumping back is
        # the return from code the compiler placed out of line (a cold
        # path at the function's end), not a loop's back edge.
        if BRANCH.match(op) and not re.match(r"^b(\.[nw])?$", op) and target:
            to = int(target.group(1), 16)
            if body[0][0] <= to <= addr:
                spans.append((to, addr))
    for to, end in spans:
        if not any(to <= t and e <= end and (t, e) != (to, end) for t, e in spans):
            yield to, [x for x in body if to <= x[0] <= end]


def classify(insns):
    n = {"dot": 0, "loads": 0, "stores": 0, "stack": 0, "moves": 0, "other": 0}
    for _, op, args in insns:
        if DOT.match(op):
            n["dot"] += 1
        elif LOAD.match(op) or STORE.match(op):
            n["loads" if LOAD.match(op) else "stores"] += 1
            if re.search(r"\bsp\b", args):
                n["stack"] += 1
        elif MOVE.match(op) and re.search(r"\bv\d+\.(16b|8b)|\bq\d+|\bd\d+", args):
            n["moves"] += 1
        else:
            n["other"] += 1
    return n


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    objdump, obj, pattern = args
    no_spills = "--no-spills" in sys.argv
    found, spilled = 0, 0
    for name, body in functions(objdump, obj):
        if not re.search(pattern, name):
            continue
        for at, insns in loops(body):
            n = classify(insns)
            found += 1
            spilled += n["dot"] != 0 and n["stack"] != 0
            print(f"loop function={name} at={at:#x} instructions={len(insns)} "
                  + " ".join(f"{k}={v}" for k, v in n.items())
                  + f" dot_share={n['dot'] / len(insns):.2f}")
    if found == 0:
        print(f"no loop in a function matching '{pattern}' in {obj}", file=sys.stderr)
        return 1
    if no_spills and spilled:
        print(f"{spilled} product loop(s) address the stack (register spills)",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
