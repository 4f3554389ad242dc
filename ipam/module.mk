# ipam/: pools, allocation over lib/store, reservations, advertise set, CNI codec.
IPAM_SRCS := $(sort $(wildcard ipam/*.c))
$(eval $(call add_lib,ipam,$(IPAM_SRCS)))
# lib/store's link flags (lib/module.mk is included after this file)
IPAM_LDLIBS := $(SQLITE_LIBS) $(CURL_LIBS) $(JSON_LIBS)

$(eval $(call add_unit,ipam_advertise,tests/unit/ipam/test_advertise.c,ipam cutover,$(IPAM_LDLIBS)))
$(eval $(call add_unit,ipam_alloc,tests/unit/ipam/test_alloc.c tests/unit/lib/test_store_harness.c,ipam cutover,$(IPAM_LDLIBS)))

# the CNI IPAM plugin
$(eval $(call add_bin,cutover-cni-ipam,cmd/cutover-cni-ipam/main.c,ipam cutover,$(IPAM_LDLIBS)))

# `cutover ipam`
CUTOVER_CLI_SRCS += cmd/cutover/cli_ipam.c
CUTOVER_CLI_LIBS += ipam
CUTOVER_CLI_LDLIBS += $(IPAM_LDLIBS)

# load generator used by the crash/etcd integration tests and the bench
$(eval $(call add_bin,ipam-load,bench/ipam/ipam_load.c,ipam cutover,$(IPAM_LDLIBS)))

INTEGRATION_TESTS += tests/integration/ipam_cli.sh tests/integration/ipam_cni.sh tests/integration/ipam_crash.sh \
	tests/integration/ipam_etcd.sh tests/integration/ipam_lab_e2e.sh
$(eval $(call add_unit,ipam_cni,tests/unit/ipam/test_cni.c,ipam cutover,$(IPAM_LDLIBS)))
$(eval $(call add_fuzz,fuzz_ipam,tests/fuzz/fuzz_ipam.c,ipam cutover,$(IPAM_LDLIBS)))

# cutoverd: the IPAM advertise set feeds BGP origination
CUTOVERD_SRCS += cmd/cutoverd/daemon_ipam.c
CUTOVERD_LIBS += ipam
CUTOVERD_LDLIBS += $(IPAM_LDLIBS)

# make bench
$(eval $(call add_bin,bench-ipam,bench/ipam/bench_ipam.c tests/unit/lib/test_store_harness.c,ipam cutover,$(IPAM_LDLIBS)))
BENCH_BINS += $(B)/bin/bench-ipam
BENCHES += bench/ipam/run.sh
