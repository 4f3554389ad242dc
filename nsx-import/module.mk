# nsx-import/: NSX-T JSON / NSX-V XML -> Cilium policy, bundle, gap report, checker.
NSX_SRCS := nsx-import/sets.c nsx-import/model.c nsx-import/load.c \
	nsx-import/load_json.c nsx-import/load_xml.c nsx-import/resolve.c \
	nsx-import/translate.c nsx-import/eval.c nsx-import/emit_cnp.c \
	nsx-import/emit_maps.c nsx-import/report.c nsx-import/cnp_read.c \
	nsx-import/verify.c nsx-import/verify_bundle.c
$(eval $(call add_lib,nsx,$(NSX_SRCS)))
NSX_LDLIBS = $(JSON_LIBS) $(XML_LIBS) $(YAML_LIBS)

CUTOVER_CLI_SRCS += cmd/cutover/cli_nsx.c
CUTOVER_CLI_LIBS += nsx
CUTOVER_CLI_LDLIBS += $(NSX_LDLIBS)

$(eval $(call add_unit,nsx_sets,tests/unit/nsx/test_sets.c,nsx cutover,$(NSX_LDLIBS)))
$(eval $(call add_unit,nsx_load,tests/unit/nsx/test_load.c,nsx cutover,$(NSX_LDLIBS)))
$(eval $(call add_unit,nsx_translate,tests/unit/nsx/test_translate.c,nsx datapath cutover,$(NSX_LDLIBS)))
$(eval $(call add_unit,lib_json,tests/unit/lib/test_json.c,cutover,$(JSON_LIBS)))
$(eval $(call add_fuzz,fuzz_nsx_json,tests/fuzz/fuzz_nsx_json.c,nsx cutover,$(NSX_LDLIBS)))
$(eval $(call add_fuzz,fuzz_nsx_xml,tests/fuzz/fuzz_nsx_xml.c,nsx cutover,$(NSX_LDLIBS)))
INTEGRATION_TESTS += tests/integration/nsx_import.sh

# make golden-update: rewrite tests/golden/nsx/* from the current build (review the diff).
golden-update: golden-update-nsx
.PHONY: golden-update-nsx
golden-update-nsx: $(B)/bin/cutover
	$(Q)scripts/nsx-golden.sh --update

# bench/nsx-import: generator of large exports (make bench runs bench/nsx-import/run.sh)
$(eval $(call add_bin,bench_nsx_gen,bench/nsx-import/gen.c,,))
BENCH_BINS += $(B)/bin/bench_nsx_gen
BENCHES += bench/nsx-import/run.sh
INTEGRATION_TESTS += tests/integration/nsx_lab.sh
