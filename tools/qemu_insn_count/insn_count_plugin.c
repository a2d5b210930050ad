/* A QEMU TCG plugin (plugin API version 1, as in QEMU 7.2) that counts the
 * guest instructions an aarch64 (or 32-bit ARM) program executes, by class:
 *   fma     multiply-accumulate arithmetic (fmla, fmadd, smlal, sdot, ...;
 *           32-bit ARM: vmla, vfma, vmlal, ...)
 *   loads   instructions whose mnemonic starts with "ld" (ldr, ldp, ld1, ...;
 *           32-bit ARM also vld*, pop, vpop)
 *   stores  instructions whose mnemonic starts with "st" (str, stp, st1, ...;
 *           32-bit ARM also vst*, push, vpush)
 *   others  everything else (total minus the three above)
 * Each instruction is classified once, when QEMU translates its block, from
 * qemu_plugin_insn_disas (and from its encoding for the dot products, which
 * QEMU 7.2's disassembler does not know); the counting itself is inline code
 * QEMU adds to the block (QEMU_PLUGIN_INLINE_ADD_U64), so it costs no call per
 * block.
 *
 * Regions: the guest marks the code to measure with two otherwise unused
 * hint instructions, which the architecture executes as NOPs:
 *   hint #0x7e  begin a region      hint #0x7f  end it
 * (on 32-bit ARM the same hints in their A32 or T32 encoding)
 * (benchmarks/icount/icount_marker.h). Counts between a begin and the next
 * end are summed over all regions; the markers themselves are not counted.
 *
 * At exit it writes, to the file given as outfile=PATH (else to stderr):
 *   insn_count scope=all total=T fma=F loads=L stores=S others=O
 *   insn_count scope=region regions=R total=T fma=F loads=L stores=S others=O
 * and, with the argument mnemonics=on, the regions' count of every mnemonic
 * (most frequent first; costs one more inline add per instruction):
 *   insn_count region_mnemonic=fmla count=C
 * and, with functions=on, the regions' counts per function (the symbol
 * QEMU finds for the instruction's address; qemu-user reads the symbol
 * tables of the main program and the dynamic loader only, so code in other
 * shared libraries falls under "(no-symbol)"; most instructions first;
 * two more inline adds per instruction):
 *   insn_count region_function=NAME total=T fma=F loads=L stores=S
 *
 * The counters are plain shared variables: exact for a single-threaded guest
 * (every measurement here), approximate if guest threads run at once.
 *
 * Debian ships no qemu-plugin.h, so the few declarations it needs are
 * written below; they follow QEMU 7.2's include/qemu/qemu-plugin.h.
 * Build: cc -shared -fPIC -O2 insn_count_plugin.c -o libinsn_count.so
 * Run:   qemu-aarch64 -plugin ./libinsn_count.so,outfile=counts.txt prog */
/* strdup */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- QEMU plugin API (version 1) ---------------------------------------- */
typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
typedef struct qemu_info_t {
  const char *target_name;
  struct {
    int min;
    int cur;
  } version;
  bool system_emulation;
  union {
    struct {
      int smp_vcpus;
      int max_vcpus;
    } system;
  };
} qemu_info_t;
enum qemu_plugin_cb_flags {
  QEMU_PLUGIN_CB_NO_REGS,
  QEMU_PLUGIN_CB_R_REGS,
  QEMU_PLUGIN_CB_RW_REGS
};
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id,
                                               struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index,
                                            void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
                                           qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
                                              enum qemu_plugin_op op, void *ptr,
                                              uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn,
                                                enum qemu_plugin_op op,
                                                void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
                                            qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags,
                                            void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
                                    qemu_plugin_udata_cb_t cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *
qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
char *qemu_plugin_insn_disas(const struct qemu_plugin_insn *insn);
const char *qemu_plugin_insn_symbol(const struct qemu_plugin_insn *insn);
/* qemu_plugin_insn_disas's string comes from glib, which QEMU links. */
void g_free(void *mem);

#define EXPORT __attribute__((visibility("default")))
EXPORT int qemu_plugin_version = 1;

/* ---- Counting ------------------------------------------------------------ */
enum insn_class { CLASS_FMA, CLASS_LOAD, CLASS_STORE, CLASS_OTHER, CLASS_N };
enum { MARK_NONE, MARK_BEGIN, MARK_END };

/* HINT #imm: aarch64 0xd503201f | imm << 5; A32 0xe320f000 | imm (always
 * executed); T32 halfwords 0xf3af, 0x8000 | imm, i.e. the little-endian
 * word 0x8000f3af | imm << 16. */
static const uint32_t kBeginMarker = 0xd503201fu | (0x7eu << 5);
static const uint32_t kEndMarker = 0xd503201fu | (0x7fu << 5);
static const uint32_t kA32BeginMarker = 0xe320f07eu;
static const uint32_t kA32EndMarker = 0xe320f07fu;
static const uint32_t kT32BeginMarker = 0x8000f3afu | (0x7eu << 16);
static const uint32_t kT32EndMarker = 0x8000f3afu | (0x7fu << 16);
static bool arm32; /* the guest is 32-bit ARM (qemu-arm) */

/* Index CLASS_N holds the total. */
static uint64_t counts[CLASS_N + 1];
static uint64_t region_start[CLASS_N + 1], region_sum[CLASS_N + 1];
static uint64_t regions;
static bool in_region;
static char *outfile;

/* Per mnemonic (mnemonics=on). The last slot gathers whatever does not fit. */
#define MAX_MNEMONICS 512
static bool by_mnemonic;
static char mnemonic_names[MAX_MNEMONICS][16];
static size_t n_mnemonics;
static uint64_t mnemonic_counts[MAX_MNEMONICS];
static uint64_t mnemonic_start[MAX_MNEMONICS], mnemonic_sum[MAX_MNEMONICS];

/* The slot of a mnemonic; called at translation time only. */
static size_t mnemonic_slot(const char *m) {
  for (size_t i = 0; i < n_mnemonics; ++i) {
    if (strcmp(mnemonic_names[i], m) == 0) {
      return i;
    }
  }
  if (n_mnemonics == MAX_MNEMONICS - 1) {
    strcpy(mnemonic_names[MAX_MNEMONICS - 1], "(more)");
    return MAX_MNEMONICS - 1;
  }
  snprintf(mnemonic_names[n_mnemonics], sizeof mnemonic_names[0], "%s",
           m[0] != '\0' ? m : "(unknown)");
  return n_mnemonics++;
}

/* Per function (functions=on): open addressing on the name's hash. The
 * last slot gathers whatever does not fit. */
#define MAX_FUNCTIONS 4096
static bool by_function;
static char *function_names[MAX_FUNCTIONS];
static size_t n_functions;
static uint64_t function_counts[MAX_FUNCTIONS][CLASS_N + 1];
static uint64_t function_start[MAX_FUNCTIONS][CLASS_N + 1];
static uint64_t function_sum[MAX_FUNCTIONS][CLASS_N + 1];

/* The slot of a function; called at translation time only. */
static size_t function_slot(const char *name) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (const char *p = name; *p != '\0'; ++p) {
    h = (h ^ (unsigned char)*p) * 1099511628211ull;
  }
  const size_t last = MAX_FUNCTIONS - 1;
  for (size_t i = h % last;; i = (i + 1) % last) {
    if (function_names[i] == NULL) {
      if (n_functions + 1 == last) {
        break;
      }
      function_names[i] = strdup(name);
      ++n_functions;
      return i;
    }
    if (strcmp(function_names[i], name) == 0) {
      return i;
    }
  }
  if (function_names[last] == NULL) {
    function_names[last] = strdup("(more)");
  }
  return last;
}

/* Multiply-accumulate mnemonics: floating-point fused multiply-add (vector,
 * by element and scalar), integer vector multiply-accumulate (widening
 * included) and the dot products. Scalar integer madd/msub are left out:
 * compilers use them for address arithmetic. */
static const char *const kFmaMnemonics[] = {
    "fmla",   "fmls",    "fmadd",  "fmsub",  "fnmadd", "fnmsub", "fmlal",
    "fmlal2", "fmlsl",   "fmlsl2", "mla",    "mls",    "smlal",  "smlal2",
    "smlsl",  "smlsl2",  "umlal",  "umlal2", "umlsl",  "umlsl2", "sdot",
    "udot",   "usdot",   "sudot",  "smmla",  "ummla",  "usmmla", "bfdot",
    "bfmmla", "bfmlalb", "bfmlalt"};

/* 32-bit ARM (capstone's names without the ".f32"-style suffix): the
 * vector (NEON) and VFP multiply-accumulates and the dot products. Scalar
 * integer mla/mls/smlal are left out, as madd on aarch64. */
static const char *const kArm32FmaMnemonics[] = {
    "vmla",  "vmls",  "vfma",  "vfms",    "vfnma",   "vfnms", "vnmla",
    "vnmls", "vmlal", "vmlsl", "vqdmlal", "vqdmlsl", "vsdot", "vudot"};

static bool in_list(const char *m, const char *const *list, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (strcmp(m, list[i]) == 0) {
      return true;
    }
  }
  return false;
}

static enum insn_class classify_arm32(const char *m) {
  char base[16];
  size_t n = strcspn(m, ".");
  n = n < sizeof base ? n : sizeof base - 1;
  memcpy(base, m, n);
  base[n] = '\0';
  if (in_list(base, kArm32FmaMnemonics,
              sizeof kArm32FmaMnemonics / sizeof kArm32FmaMnemonics[0])) {
    return CLASS_FMA;
  }
  if (strncmp(base, "ld", 2) == 0 || strncmp(base, "vld", 3) == 0 ||
      strcmp(base, "pop") == 0 || strcmp(base, "vpop") == 0) {
    return CLASS_LOAD;
  }
  if (strncmp(base, "st", 2) == 0 || strncmp(base, "vst", 3) == 0 ||
      strcmp(base, "push") == 0 || strcmp(base, "vpush") == 0) {
    return CLASS_STORE;
  }
  return CLASS_OTHER;
}

static enum insn_class classify_mnemonic(const char *m) {
  if (arm32) {
    return classify_arm32(m);
  }
  if (in_list(m, kFmaMnemonics,
              sizeof kFmaMnemonics / sizeof kFmaMnemonics[0])) {
    return CLASS_FMA;
  }
  if (strncmp(m, "ld", 2) == 0) {
    return CLASS_LOAD;
  }
  if (strncmp(m, "st", 2) == 0) {
    return CLASS_STORE;
  }
  return CLASS_OTHER;
}

/* Names what QEMU 7.2's capstone cannot disassemble (it prints ".byte"):
 * the ARMv8.2 dot products, SMaLL's and XNNPACK's int8 kernels on
 * dot-product cores. Encodings from the Arm ARM: SDOT/UDOT (vector)
 * 0 Q U 01110 10 0 Rm 100101 Rn Rd, (by element) 0 Q U 01111 10 L M Rm
 * 1110 H 0 Rn Rd; U (bit 29) tells UDOT from SDOT. */
static void name_undecoded(const struct qemu_plugin_insn *insn,
                           char mnemonic[16]) {
  uint32_t word = 0;
  if (qemu_plugin_insn_size(insn) != sizeof word) {
    return;
  }
  memcpy(&word, qemu_plugin_insn_data(insn), sizeof word);
  if ((word & 0x9fe0fc00u) == 0x0e809400u ||
      (word & 0x9fc0f400u) == 0x0f80e000u) {
    strcpy(mnemonic, (word & 0x20000000u) != 0 ? "udot" : "sdot");
  }
}

/* The first word of an instruction's disassembly, in lower case ("" when
 * it has none). */
static void read_mnemonic(const struct qemu_plugin_insn *insn,
                          char mnemonic[16]) {
  char *text = qemu_plugin_insn_disas(insn);
  mnemonic[0] = '\0';
  if (text != NULL) {
    size_t n = 0;
    const char *p = text;
    while (*p == ' ' || *p == '\t') {
      ++p;
    }
    while (p[n] != '\0' && !isspace((unsigned char)p[n]) && n + 1 < 16) {
      mnemonic[n] = (char)tolower((unsigned char)p[n]);
      ++n;
    }
    mnemonic[n] = '\0';
    g_free(text);
  }
  if (!arm32 && (mnemonic[0] == '\0' || mnemonic[0] == '.')) {
    name_undecoded(insn, mnemonic);
  }
}

static int marker_kind(const struct qemu_plugin_insn *insn) {
  uint32_t word = 0;
  if (qemu_plugin_insn_size(insn) != sizeof word) {
    return MARK_NONE;
  }
  memcpy(&word, qemu_plugin_insn_data(insn), sizeof word);
  if (arm32) {
    return word == kA32BeginMarker || word == kT32BeginMarker ? MARK_BEGIN
           : word == kA32EndMarker || word == kT32EndMarker   ? MARK_END
                                                              : MARK_NONE;
  }
  return word == kBeginMarker ? MARK_BEGIN
         : word == kEndMarker ? MARK_END
                              : MARK_NONE;
}

static void on_marker(unsigned int vcpu_index, void *userdata) {
  (void)vcpu_index;
  const int kind = (int)(uintptr_t)userdata;
  if (kind == MARK_BEGIN) {
    memcpy(region_start, counts, sizeof counts);
    if (by_mnemonic) {
      memcpy(mnemonic_start, mnemonic_counts, sizeof mnemonic_counts);
    }
    if (by_function) {
      memcpy(function_start, function_counts, sizeof function_counts);
    }
    in_region = true;
  } else if (in_region) {
    for (int c = 0; c <= CLASS_N; ++c) {
      region_sum[c] += counts[c] - region_start[c];
    }
    for (size_t m = 0; by_mnemonic && m < MAX_MNEMONICS; ++m) {
      mnemonic_sum[m] += mnemonic_counts[m] - mnemonic_start[m];
    }
    for (size_t f = 0; by_function && f < MAX_FUNCTIONS; ++f) {
      for (int c = 0; c <= CLASS_N; ++c) {
        function_sum[f][c] += function_counts[f][c] - function_start[f][c];
      }
    }
    ++regions;
    in_region = false;
  }
}

/* A block without markers adds its per-class totals once per execution, at
 * its start. A block with a marker counts instruction by instruction, so
 * the marker's snapshot sees exactly the instructions before it. */
static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  (void)id;
  const size_t n = qemu_plugin_tb_n_insns(tb);
  bool has_marker = false;
  for (size_t i = 0; i < n && !has_marker; ++i) {
    has_marker = marker_kind(qemu_plugin_tb_get_insn(tb, i)) != MARK_NONE;
  }
  uint64_t per_class[CLASS_N + 1] = {0};
  for (size_t i = 0; i < n; ++i) {
    struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
    const int mark = marker_kind(insn);
    if (mark != MARK_NONE) {
      qemu_plugin_register_vcpu_insn_exec_cb(
          insn, on_marker, QEMU_PLUGIN_CB_NO_REGS, (void *)(uintptr_t)mark);
      continue;
    }
    char mnemonic[16];
    read_mnemonic(insn, mnemonic);
    const enum insn_class c = classify_mnemonic(mnemonic);
    if (by_mnemonic) {
      qemu_plugin_register_vcpu_insn_exec_inline(
          insn, QEMU_PLUGIN_INLINE_ADD_U64,
          &mnemonic_counts[mnemonic_slot(mnemonic)], 1);
    }
    if (by_function) {
      const char *symbol = qemu_plugin_insn_symbol(insn);
      uint64_t *f = function_counts[function_slot(
          symbol != NULL && symbol[0] != '\0' ? symbol : "(no-symbol)")];
      qemu_plugin_register_vcpu_insn_exec_inline(
          insn, QEMU_PLUGIN_INLINE_ADD_U64, &f[c], 1);
      qemu_plugin_register_vcpu_insn_exec_inline(
          insn, QEMU_PLUGIN_INLINE_ADD_U64, &f[CLASS_N], 1);
    }
    if (has_marker) {
      qemu_plugin_register_vcpu_insn_exec_inline(
          insn, QEMU_PLUGIN_INLINE_ADD_U64, &counts[c], 1);
      qemu_plugin_register_vcpu_insn_exec_inline(
          insn, QEMU_PLUGIN_INLINE_ADD_U64, &counts[CLASS_N], 1);
    } else {
      ++per_class[c];
      ++per_class[CLASS_N];
    }
  }
  for (int c = 0; c <= CLASS_N; ++c) {
    if (per_class[c] != 0) {
      qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
                                               &counts[c], per_class[c]);
    }
  }
}

static void write_class_counts(FILE *f, const uint64_t *c) {
  fprintf(f, "total=%llu fma=%llu loads=%llu stores=%llu others=%llu\n",
          (unsigned long long)c[CLASS_N], (unsigned long long)c[CLASS_FMA],
          (unsigned long long)c[CLASS_LOAD], (unsigned long long)c[CLASS_STORE],
          (unsigned long long)c[CLASS_OTHER]);
}

/* Most frequent first, then by name. */
static int by_count_then_name(const void *a, const void *b) {
  const size_t x = *(const size_t *)a, y = *(const size_t *)b;
  if (mnemonic_sum[x] != mnemonic_sum[y]) {
    return mnemonic_sum[x] > mnemonic_sum[y] ? -1 : 1;
  }
  return strcmp(mnemonic_names[x], mnemonic_names[y]);
}

static int by_function_total(const void *a, const void *b) {
  const size_t x = *(const size_t *)a, y = *(const size_t *)b;
  if (function_sum[x][CLASS_N] != function_sum[y][CLASS_N]) {
    return function_sum[x][CLASS_N] > function_sum[y][CLASS_N] ? -1 : 1;
  }
  return strcmp(function_names[x], function_names[y]);
}

static void write_functions(FILE *f) {
  static size_t order[MAX_FUNCTIONS];
  size_t n = 0;
  for (size_t i = 0; i < MAX_FUNCTIONS; ++i) {
    if (function_sum[i][CLASS_N] != 0) {
      order[n++] = i;
    }
  }
  qsort(order, n, sizeof order[0], by_function_total);
  for (size_t i = 0; i < n; ++i) {
    fprintf(f, "insn_count region_function=%s ", function_names[order[i]]);
    write_class_counts(f, function_sum[order[i]]);
  }
}

static void write_report(FILE *f) {
  fprintf(f, "insn_count scope=all ");
  write_class_counts(f, counts);
  fprintf(f, "insn_count scope=region regions=%llu ",
          (unsigned long long)regions);
  write_class_counts(f, region_sum);
  if (by_function) {
    write_functions(f);
  }
  if (!by_mnemonic) {
    return;
  }
  static size_t order[MAX_MNEMONICS];
  size_t n = 0;
  for (size_t m = 0; m < MAX_MNEMONICS; ++m) {
    if (mnemonic_sum[m] != 0) {
      order[n++] = m;
    }
  }
  qsort(order, n, sizeof order[0], by_count_then_name);
  for (size_t i = 0; i < n; ++i) {
    fprintf(f, "insn_count region_mnemonic=%s count=%llu\n",
            mnemonic_names[order[i]],
            (unsigned long long)mnemonic_sum[order[i]]);
  }
}

/* Not qemu_plugin_outs for the fallback: QEMU prints that only under
 * -d plugin. */
static void write_counts(qemu_plugin_id_t id, void *userdata) {
  (void)id;
  (void)userdata;
  FILE *f = outfile != NULL ? fopen(outfile, "w") : NULL;
  if (outfile != NULL && f == NULL) {
    fprintf(stderr, "insn_count: cannot write %s; the counts follow\n",
            outfile);
  }
  write_report(f != NULL ? f : stderr);
  if (f != NULL) {
    fclose(f);
  }
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                               int argc, char **argv) {
  arm32 = strcmp(info->target_name, "arm") == 0;
  if (!arm32 && strcmp(info->target_name, "aarch64") != 0) {
    fprintf(stderr, "insn_count: classifies aarch64 and arm only, not %s\n",
            info->target_name);
    return -1;
  }
  for (int i = 0; i < argc; ++i) {
    if (strncmp(argv[i], "outfile=", 8) == 0) {
      /* QEMU frees argv once the plugin is installed. */
      free(outfile);
      outfile = strdup(argv[i] + 8);
    } else if (strcmp(argv[i], "mnemonics=on") == 0) {
      by_mnemonic = true;
    } else if (strcmp(argv[i], "functions=on") == 0) {
      by_function = true;
    } else {
      fprintf(stderr,
              "insn_count: unknown argument %s (outfile=PATH, mnemonics=on, "
              "functions=on)\n",
              argv[i]);
      return -1;
    }
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, write_counts, NULL);
  return 0;
}
