# datapath/: eBPF policy datapath (libdatapath.a), its BPF objects and tests.
DP_SRCS := datapath/bundle.c datapath/compile.c datapath/loader.c datapath/maps.c datapath/sync.c datapath/events.c datapath/agent.c
$(eval $(call add_lib,datapath,$(DP_SRCS)))

$(eval $(call add_unit,dp_bundle,tests/unit/datapath/test_bundle.c,datapath cutover,$(JSON_LIBS)))
$(eval $(call add_unit,dp_compile,tests/unit/datapath/test_compile.c,datapath cutover,))
$(eval $(call add_fuzz,fuzz_bundle,tests/fuzz/fuzz_bundle.c,datapath cutover,$(JSON_LIBS)))

$(eval $(call add_skel,dp_lxc,datapath/bpf/lxc.bpf.c))
$(B)/bpf/dp_lxc.tmp.o: $(wildcard datapath/bpf/*.bpf.h) datapath/dp_abi.h
# loader.c includes the generated skeleton
$(call obj,datapath/loader.c) $(call asanobj,datapath/loader.c) $(call fuzzobj,datapath/loader.c): $(GEN)/dp_lxc.skel.h

$(eval $(call add_bpftest,bpf_datapath,tests/bpf/test_datapath.c,datapath cutover,$(JSON_LIBS),$(GEN)/dp_lxc.skel.h))

CUTOVER_CLI_SRCS += cmd/cutover/cli_policy.c cmd/cutover/cli_observe.c
CUTOVER_CLI_LIBS += datapath
CUTOVER_CLI_LDLIBS += $(JSON_LIBS) $(BPF_LIBS)
INTEGRATION_TESTS += tests/integration/datapath_basic.sh

# benchmarks (make bench; never part of make test)
$(eval $(call add_bin,dp_bench,bench/datapath/dp_bench.c,datapath cutover,$(JSON_LIBS) $(BPF_LIBS)))
$(eval $(call add_bin,dp_rr,bench/datapath/dp_rr.c,,))
$(call obj,bench/datapath/dp_bench.c): $(GEN)/dp_lxc.skel.h
BENCH_BINS += $(B)/bin/dp_bench $(B)/bin/dp_rr
BENCHES += bench/datapath/run.sh

# cutoverd: the datapath subsystem (datapath/agent.c)
CUTOVERD_LIBS += datapath
CUTOVERD_LDLIBS += $(BPF_LIBS)
INTEGRATION_TESTS += tests/integration/datapath_restart.sh
INTEGRATION_TESTS += tests/integration/datapath_restart_clsact.sh
INTEGRATION_TESTS += tests/integration/datapath_nsx_bundle.sh
