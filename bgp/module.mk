# bgp/: the BGP-4 speaker (and BFD). Every bgp/*.c goes into libbgp.a.
BGP_SRCS := $(sort $(wildcard bgp/*.c))
ifneq ($(BGP_SRCS),)
$(eval $(call add_lib,bgp,$(BGP_SRCS)))
endif

# --- wire codec: messages, capabilities, attributes (tests, fuzz) ---
$(eval $(call add_unit,bgp_msg,tests/unit/bgp/test_msg.c,bgp cutover,))
$(eval $(call add_unit,bgp_attr,tests/unit/bgp/test_attr.c,bgp cutover,))
$(eval $(call add_unit,bgp_rfc7606,tests/unit/bgp/test_rfc7606.c,bgp cutover,))
# Real RIS data against bgpdump; tests/helpers/mrt.c is the reusable MRT reader.
$(eval $(call add_unit,bgp_mrt_decode,tests/unit/bgp/test_mrt_decode.c tests/helpers/mrt.c,bgp cutover,-lz))
$(eval $(call add_fuzz,fuzz_bgp_msg,tests/fuzz/fuzz_bgp_msg.c,bgp cutover,))
# Seed corpus generator (committed seeds; rerun with `make fuzz-seeds-bgp`).
ALL_SRCS += tests/fuzz/gen_fuzz_bgp_msg.c tests/helpers/mrt.c
$(B)/tools/gen_fuzz_bgp_msg: $(call obj,tests/fuzz/gen_fuzz_bgp_msg.c tests/helpers/mrt.c) $(B)/libbgp.a $(B)/libcutover.a
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) -o $@ -Wl,--start-group $^ -Wl,--end-group $(LDFLAGS) -lz
.PHONY: fuzz-seeds-bgp
fuzz-seeds-bgp: $(B)/tools/gen_fuzz_bgp_msg
	$(Q)$< tests/fuzz/corpus/fuzz_bgp_msg tests/fixtures/mrt/updates.20160811.1600.gz
# Throughput on real RIS data against bgpdump (make bench BENCH=bgp_wire).
$(eval $(call add_bin,bgp-wire-bench,bench/bgp_wire/wire_bench.c tests/helpers/mrt.c,bgp cutover,-lz))
BENCHES += bench/bgp_wire/run.sh

# --- FSM, sessions, config, control (tests, integration) ---
$(eval $(call add_unit,bgp_fsm,tests/unit/bgp/test_fsm.c bgp/fsm.c,cutover,))
$(eval $(call add_unit,bgp_conf,tests/unit/bgp/test_conf.c,bgp cutover,$$(YAML_LIBS)))
$(eval $(call add_unit,bgp_adjin,tests/unit/bgp/test_adjin.c,bgp cutover,))
$(eval $(call add_unit,bgp_session,tests/unit/bgp/test_session.c,bgp cutover,$$(EVENT_LIBS) $$(YAML_LIBS)))
$(eval $(call add_fuzz,fuzz_conf,tests/fuzz/fuzz_conf.c,bgp cutover,$$(YAML_LIBS)))

# --- RIB and kernel sync ---
$(eval $(call add_unit,bgp_kroute,tests/unit/bgp/test_kroute.c,bgp cutover,$(NL_LIBS)))
$(eval $(call add_unit,bgp_rib,tests/unit/bgp/test_rib.c,bgp cutover,))
$(eval $(call add_unit,bgp_rib_model,tests/unit/bgp/test_rib_model.c,bgp cutover,))
$(eval $(call add_unit,bgp_filter,tests/unit/bgp/test_filter.c,bgp cutover,))
$(eval $(call add_unit,bgp_adjout,tests/unit/bgp/test_adjout.c,bgp cutover,))
INTEGRATION_TESTS += tests/integration/bgp_rib_ris.sh
INTEGRATION_TESTS += tests/integration/bgp_rib_gr.sh

# --- BFD ---
$(eval $(call add_unit,bgp_bfd,tests/unit/bgp/test_bfd.c,bgp cutover,$(EVENT_LIBS)))
$(eval $(call add_fuzz,fuzz_bfd,tests/fuzz/fuzz_bfd.c,bgp cutover,$(EVENT_LIBS)))
$(eval $(call add_bin,bfd-probe,tests/helpers/bfd_probe.c,bgp cutover,$(EVENT_LIBS)))
INTEGRATION_TESTS += tests/integration/bfd_bird.sh
INTEGRATION_TESTS += tests/integration/bgp_bird.sh
INTEGRATION_TESTS += tests/integration/bgp_malformed.sh
INTEGRATION_TESTS += tests/integration/bgp_md5.sh
INTEGRATION_TESTS += tests/integration/bfd_bird_gr.sh
$(eval $(call add_unit,bgp_bfd_session,tests/unit/bgp/test_bfd_session.c,bgp cutover,$(EVENT_LIBS) $(JSON_LIBS)))
$(eval $(call add_unit,bgp_bfd_conf,tests/unit/bgp/test_bfd_conf.c,bgp cutover,$$(YAML_LIBS)))
BENCHES += bench/bfd/run.sh
INTEGRATION_TESTS += tests/integration/bfd_cutoverd.sh
INTEGRATION_TESTS += tests/integration/bfd_cutoverd_gr.sh
