# SPDX-License-Identifier: MIT
# cutover: one non-recursive GNU Makefile. Modules add their sources, binaries and
# tests in <module>/module.mk (included below); nothing here calls $(MAKE) -C.
#
#   make            build everything (release flags, -Werror) into build/
#   make test       install deps, build, run unit/bpf/integration/fuzz suites
#   make demo       install deps, build, run the lab demo
#   make bench      run the benchmarks (ratios against anchors in the same run)
#   make check      cppcheck + clang --analyze
#   make clean
#
# V=1 shows commands. FUZZ_SECONDS (default 20) bounds each fuzz target in make test.

.DELETE_ON_ERROR:
.SECONDARY:
.SUFFIXES:
.DEFAULT_GOAL := all

B      := build
BA     := $(B)/asan
BF     := $(B)/fuzz
GEN    := $(B)/gen
V      ?= 0
Q      := $(if $(filter 1,$(V)),,@)
say     = $(if $(filter 1,$(V)),,@printf '  %-7s %s\n' '$(1)' '$(2)';)

CC      ?= cc
CLANG   ?= clang
BPFTOOL ?= bpftool

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wcast-qual -Wformat=2
CFLAGS  := -std=gnu11 -O2 -g $(WARN) -fno-omit-frame-pointer
CPPFLAGS:= -I. -isystem $(GEN) -D_GNU_SOURCE
SANFLAGS:= -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZFLAGS := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -DCUTOVER_FUZZ

# Library flags come from pkg-config once the Debian packages are present.
# build/config.mk is (re)made by scripts/deps.sh + pkg-config before anything else.
NOCONFIG_GOALS := clean help
ifeq ($(filter-out $(NOCONFIG_GOALS),$(or $(MAKECMDGOALS),all)),)
else
-include $(B)/config.mk
endif
$(B)/config.mk: scripts/deps.sh scripts/config.sh
	$(call say,CONFIG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)scripts/deps.sh
	$(Q)scripts/config.sh > $@.tmp && mv $@.tmp $@

# ---- helpers used by module.mk files ---------------------------------------
obj      = $(patsubst %.c,$(B)/obj/%.o,$(1))
asanobj  = $(patsubst %.c,$(BA)/obj/%.o,$(1))
fuzzobj  = $(patsubst %.c,$(BF)/obj/%.o,$(1))

# $(call add_lib,name,sources) -> $(B)/libname.a, $(BA)/libname.a, $(BF)/libname.a
define add_lib
$(1)_SRCS := $(2)
ALL_SRCS += $(2)
$(B)/lib$(1).a: $(call obj,$(2))
	$$(call say,AR,$$@)
	$$(Q)mkdir -p $$(@D) && rm -f $$@ && ar rcs $$@ $$^
$(BA)/lib$(1).a: $(call asanobj,$(2))
	$$(call say,AR,$$@)
	$$(Q)mkdir -p $$(@D) && rm -f $$@ && ar rcs $$@ $$^
$(BF)/lib$(1).a: $(call fuzzobj,$(2))
	$$(call say,AR,$$@)
	$$(Q)mkdir -p $$(@D) && rm -f $$@ && ar rcs $$@ $$^
endef

# $(call add_bin,name,sources,libs(in link order, e.g. bgp cutover),ldlibs)
# -> $(B)/bin/name (release) and $(BA)/bin/name (sanitizers)
define add_bin
ALL_SRCS += $(2)
BINS += $(B)/bin/$(1)
ASAN_BINS += $(BA)/bin/$(1)
$(B)/bin/$(1): $(call obj,$(2)) $(foreach l,$(3),$(B)/lib$(l).a)
	$$(call say,LD,$$@)
	$$(Q)mkdir -p $$(@D) && $$(CC) $$(CFLAGS) -o $$@ -Wl,--start-group $$^ -Wl,--end-group $$(LDFLAGS) $(4)
$(BA)/bin/$(1): $(call asanobj,$(2)) $(foreach l,$(3),$(BA)/lib$(l).a)
	$$(call say,LD,$$@)
	$$(Q)mkdir -p $$(@D) && $$(CC) $$(CFLAGS) $$(SANFLAGS) -o $$@ -Wl,--start-group $$^ -Wl,--end-group $$(LDFLAGS) $(4)
endef

# $(call add_unit,name,sources,libs,ldlibs): a cmocka binary built with sanitizers,
# run by make test as unit/name.
define add_unit
ALL_SRCS += $(2)
UNIT_TESTS += $(BA)/tests/$(1)
$(BA)/tests/$(1): $(call asanobj,$(2)) $(foreach l,$(3),$(BA)/lib$(l).a)
	$$(call say,LD,$$@)
	$$(Q)mkdir -p $$(@D) && $$(CC) $$(CFLAGS) $$(SANFLAGS) -o $$@ -Wl,--start-group $$^ -Wl,--end-group $$(LDFLAGS) $(4) $$(CMOCKA_LIBS)
endef

# $(call add_bpftest,name,sources,libs,ldlibs,skeleton deps): BPF_PROG_TEST_RUN tests
# (release flags: the verifier does not care, and ASan is not needed around bpf()).
define add_bpftest
ALL_SRCS += $(2)
BPF_TESTS += $(BA)/tests/$(1)
$(call asanobj,$(2)): $(5)
$(BA)/tests/$(1): $(call asanobj,$(2)) $(foreach l,$(3),$(BA)/lib$(l).a)
	$$(call say,LD,$$@)
	$$(Q)mkdir -p $$(@D) && $$(CC) $$(CFLAGS) $$(SANFLAGS) -o $$@ -Wl,--start-group $$^ -Wl,--end-group $$(LDFLAGS) $(4) $$(BPF_LIBS) $$(CMOCKA_LIBS)
endef

# $(call add_fuzz,name,sources,libs,ldlibs): libFuzzer target; seeds in tests/fuzz/corpus/name/
define add_fuzz
FUZZ_TARGETS += $(BF)/bin/$(1)
$(BF)/bin/$(1): $(call fuzzobj,$(2)) $(foreach l,$(3),$(BF)/lib$(l).a)
	$$(call say,LD,$$@)
	$$(Q)mkdir -p $$(@D) && $$(CLANG) $$(FUZZFLAGS) -g -o $$@ -Wl,--start-group $$^ -Wl,--end-group $$(LDFLAGS) $(4)
endef

# $(call add_skel,name,bpf source): build/bpf/name.bpf.o and build/gen/name.skel.h
define add_skel
SKELS += $(GEN)/$(1).skel.h
BPF_OBJS += $(B)/bpf/$(1).bpf.o
$(B)/bpf/$(1).tmp.o: $(2)
	$$(call say,BPF,$$@)
	$$(Q)mkdir -p $$(@D) && $$(CLANG) $$(BPF_CFLAGS) -c $$< -o $$@
$(B)/bpf/$(1).bpf.o: $(B)/bpf/$(1).tmp.o
	$$(Q)$$(BPFTOOL) gen object $$@ $$<
$(GEN)/$(1).skel.h: $(B)/bpf/$(1).bpf.o
	$$(call say,SKEL,$$@)
	$$(Q)mkdir -p $$(@D) && $$(BPFTOOL) gen skeleton $$< name $(1) > $$@.tmp && mv $$@.tmp $$@
endef

BPF_CFLAGS = -O2 -g -target bpf -Wall -Wextra -Werror -I. -I/usr/include/$(shell $(CC) -dumpmachine) \
	-D__TARGET_ARCH_x86

INTEGRATION_TESTS :=
BENCHES :=
BENCH_BINS :=
UNIT_TESTS :=
BPF_TESTS :=
FUZZ_TARGETS :=
BINS :=
ASAN_BINS :=
SKELS :=
ALL_SRCS :=

CUTOVER_CLI_SRCS :=
CUTOVER_CLI_LIBS :=
CUTOVER_CLI_LDLIBS :=
CUTOVERD_SRCS :=
CUTOVERD_LIBS :=
CUTOVERD_LDLIBS :=
include $(sort $(wildcard */module.mk) $(wildcard tests/*/module.mk))
# Runs last: the demo, then no namespace/process/pin of this run may be left.
INTEGRATION_TESTS += tests/integration/zz_demo_leftovers.sh
# The CLI collects pieces from every module, so it is defined after all module.mk files.
$(eval $(call add_bin,cutover,$(CUTOVER_CLI_SRCS),$(CUTOVER_CLI_LIBS),$(CUTOVER_CLI_LDLIBS)))
# cutoverd likewise: modules append to CUTOVERD_SRCS/_LIBS/_LDLIBS in their module.mk.
$(eval $(call add_bin,cutoverd,$(CUTOVERD_SRCS),$(CUTOVERD_LIBS),$(CUTOVERD_LDLIBS)))

# ---- compile rules -----------------------------------------------------------
$(B)/obj/%.o: %.c | $(B)/config.mk
	$(call say,CC,$<)
	$(Q)mkdir -p $(@D) && $(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@
$(BA)/obj/%.o: %.c | $(B)/config.mk
	$(call say,CC-SAN,$<)
	$(Q)mkdir -p $(@D) && $(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -O1 $(SANFLAGS) -MMD -MP -c $< -o $@
$(BF)/obj/%.o: %.c | $(B)/config.mk
	$(call say,CC-FUZZ,$<)
	$(Q)mkdir -p $(@D) && $(CLANG) $(CPPFLAGS) $(PKG_CFLAGS) -std=gnu11 -O1 -g $(WARN) -Wno-unused-command-line-argument $(FUZZFLAGS) -MMD -MP -c $< -o $@

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# ---- top-level targets -------------------------------------------------------
.PHONY: FORCE all test test-unit test-bpf test-integration fuzz demo bench check clean deps help golden-update

all: $(SKELS) $(BINS)

deps:
	$(Q)scripts/deps.sh

TEST_BUILD = $(SKELS) $(BINS) $(ASAN_BINS) $(UNIT_TESTS) $(BPF_TESTS) $(FUZZ_TARGETS)

$(B)/tests.list: FORCE | $(B)/config.mk
	$(Q)mkdir -p $(@D)
	$(file >$@.tmp)
	$(foreach t,$(UNIT_TESTS),$(file >>$@.tmp,unit $(t)))
	$(foreach t,$(BPF_TESTS),$(file >>$@.tmp,bpf $(t)))
	$(foreach t,$(INTEGRATION_TESTS),$(file >>$@.tmp,integration $(t)))
	$(foreach t,$(FUZZ_TARGETS),$(file >>$@.tmp,fuzz $(t)))
	$(Q)mv $@.tmp $@
FORCE:

test: deps $(TEST_BUILD) $(B)/tests.list
	$(Q)scripts/run-tests.sh $(B)/tests.list
test-unit: deps $(UNIT_TESTS) $(B)/tests.list
	$(Q)scripts/run-tests.sh --only unit $(B)/tests.list
test-bpf: deps $(SKELS) $(BPF_TESTS) $(B)/tests.list
	$(Q)scripts/run-tests.sh --only bpf $(B)/tests.list
test-integration: deps $(SKELS) $(BINS) $(ASAN_BINS) $(B)/tests.list
	$(Q)scripts/run-tests.sh --only integration $(B)/tests.list
fuzz: deps $(FUZZ_TARGETS) $(B)/tests.list
	$(Q)FUZZ_SECONDS=$${FUZZ_SECONDS:-300} scripts/run-tests.sh --only fuzz $(B)/tests.list

demo: deps all
	$(Q)scripts/demo.sh

# BENCHES: scripts registered by module.mk files (BENCHES += bench/x/run.sh);
# BENCH=name runs only the ones whose path contains name.
bench: deps all $(BENCH_BINS)
	$(Q)scripts/bench.sh $(BENCHES)

CHECK_SRCS = $(sort $(ALL_SRCS))
# cppcheck over the whole tree (it checks across files), then clang's analyzer one file
# per target so `make -j2 check` runs two at a time. Analysis always reruns.
.PHONY: cppcheck analyze
check: cppcheck analyze
cppcheck: $(SKELS) | $(B)/config.mk
	$(call say,CPPCHECK,$(words $(CHECK_SRCS)) files)
	$(Q)cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr --suppress=missingIncludeSystem --suppress=ctuuninitvar --std=c11 \
		--include=/usr/include/bpf/libbpf_common.h -I. -I$(GEN) \
		-D_GNU_SOURCE $(CHECK_SRCS)
analyze: $(patsubst %.c,$(B)/analyze/%.c,$(CHECK_SRCS))
$(B)/analyze/%.c: %.c $(SKELS) FORCE | $(B)/config.mk
	$(call say,ANALYZE,$<)
	$(Q)$(CLANG) --analyze -Xclang -analyzer-werror $(CPPFLAGS) $(PKG_CFLAGS) -std=gnu11 \
		-Wno-unused-command-line-argument -o /dev/null $<

clean:
	rm -rf $(B)

help:
	@sed -n '2,12p' Makefile | sed 's/^# \{0,1\}//'
