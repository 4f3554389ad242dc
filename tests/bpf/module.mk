# tests/bpf: BPF_PROG_TEST_RUN suites. The datapath's own suites register in datapath/module.mk.
$(eval $(call add_skel,selftest,tests/bpf/progs/selftest.bpf.c))
$(eval $(call add_bpftest,bpf_selftest,tests/bpf/test_selftest.c,cutover,,$(GEN)/selftest.skel.h))
