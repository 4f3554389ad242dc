# datapath/: eBPF policy datapath (libdatapath.a), its BPF objects and tests.
DP_SRCS := datapath/bundle.c
$(eval $(call add_lib,datapath,$(DP_SRCS)))

$(eval $(call add_unit,dp_bundle,tests/unit/datapath/test_bundle.c,datapath cutover,$(JSON_LIBS)))
$(eval $(call add_fuzz,fuzz_bundle,tests/fuzz/fuzz_bundle.c,datapath cutover,$(JSON_LIBS)))
