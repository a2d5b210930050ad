#!/usr/bin/env python3
"""Exact instruction profile of a bare-metal firmware image under QEMU.

Runs the image once on qemu-system-arm with the flags of
targets/cortex-m/run_qemu.sh (-icount shift=0: one instruction per tick) and
QEMU's logging of translated blocks (-d in_asm,exec,nochain): every executed
block is logged with its address and the symbol it starts in, and every
translation lists the block's instructions. A block's instructions times its
executions, summed per symbol, is where the image's instructions go.

Usage:
  tools/qemu_profile.py [--machine mps2-an386|mps3-an547] [--top N]
                        [--split SYMBOL [--segments I,J,...]] ELF

  --machine   the board (mps2-an386 = Cortex-M4, the default; mps3-an547 =
              Cortex-M55)
  --top       how many symbols to print (default 25)
  --split     also cut the run where SYMBOL is entered from another symbol
              (for example small_plan_step_window: one segment per kernel
              call of a plan image) and print each segment's total and top
              symbols; --segments keeps only those segment numbers

Counts cover the whole run (reset, every sample the test runs, its checks).
A block's size is its latest translation's: with -icount QEMU may translate
the same address again with another length, which is rare, so symbol totals
are exact to within a few blocks. The log is large (about 15 bytes per
instruction executed, in a temporary directory).
"""
import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

TRACE = re.compile(
    r"^Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/[0-9a-f]+/[0-9a-f]+\] ?(.*)$")
INSN = re.compile(r"^0x([0-9a-f]+):")


def run_qemu(machine, elf, log):
    cmd = ["qemu-system-arm", "-machine", machine, "-nographic", "-monitor",
           "none", "-semihosting-config", "enable=on,target=native",
           "-icount", "shift=0", "-kernel", elf,
           "-d", "in_asm,exec,nochain", "-D", log]
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            timeout=600, check=False)
    return result.returncode, result.stdout.decode(errors="replace")


def profile(log, split):
    """Per-symbol instruction counts, and per segment when split is set."""
    sizes = {}
    total = collections.Counter()
    segments = [collections.Counter()]
    block_pc, block_len, in_block = None, 0, False
    previous = None
    with open(log, errors="replace") as f:
        for line in f:
            if line.startswith("IN:"):
                in_block, block_pc, block_len = True, None, 0
                continue
            if in_block:
                m = INSN.match(line)
                if m:
                    if block_pc is None:
                        block_pc = int(m.group(1), 16)
                    block_len += 1
                    continue
                if block_pc is not None:
                    sizes[block_pc] = block_len
                in_block = False
            m = TRACE.match(line)
            if not m:
                continue
            symbol = m.group(2).strip() or "?"
            count = sizes.get(int(m.group(1), 16), 0)
            total[symbol] += count
            if split:
                if split in symbol and (previous is None or split not in previous):
                    segments.append(collections.Counter())
                segments[-1][symbol] += count
            previous = symbol
    return total, segments


def demangler():
    for tool in ("arm-none-eabi-c++filt", "c++filt"):
        if shutil.which(tool):
            return tool
    return None


def print_counts(counts, top, names, indent=""):
    whole = sum(counts.values())
    for symbol, n in counts.most_common(top):
        share = 100.0 * n / whole if whole else 0.0
        print(f"{indent}{n:>12} {share:5.1f}% {names.get(symbol, symbol)}")


def main():
    parser = argparse.ArgumentParser(
        description="Exact instruction profile of a firmware image under QEMU.")
    parser.add_argument("elf")
    parser.add_argument("--machine", default="mps2-an386",
                        choices=["mps2-an386", "mps3-an547"])
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--split")
    parser.add_argument("--segments")
    args = parser.parse_args()
    if not os.path.isfile(args.elf):
        sys.exit(f"qemu_profile: no such image: {args.elf}")
    if shutil.which("qemu-system-arm") is None:
        sys.exit("qemu_profile: qemu-system-arm not found (apt-get install "
                 "qemu-system-arm)")
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "qemu.log")
        status, output = run_qemu(args.machine, args.elf, log)
        if status != 0:
            sys.stdout.write(output)
            sys.exit(f"qemu_profile: the image exited with status {status}")
        total, segments = profile(log, args.split)
    symbols = set(total)
    names = {}
    tool = demangler()
    if tool:
        ordered = sorted(symbols)
        out = subprocess.run([tool], input="\n".join(ordered), text=True,
                             stdout=subprocess.PIPE, check=False).stdout
        names = dict(zip(ordered, out.splitlines()))
    print(f"total {sum(total.values())} instructions ({args.elf}, {args.machine})")
    print_counts(total, args.top, names)
    if args.split:
        keep = None
        if args.segments:
            keep = {int(i) for i in args.segments.split(",")}
        for i, counts in enumerate(segments):
            if keep is not None and i not in keep:
                continue
            print(f"segment {i}: {sum(counts.values())} instructions")
            print_counts(counts, min(args.top, 8), names, "  ")


if __name__ == "__main__":
    main()
