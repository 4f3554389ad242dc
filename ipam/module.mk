# ipam/: pools, allocation over lib/store, reservations, advertise set, CNI codec.
IPAM_SRCS := $(sort $(wildcard ipam/*.c))
$(eval $(call add_lib,ipam,$(IPAM_SRCS)))
# lib/store's link flags (lib/module.mk is included after this file)
IPAM_LDLIBS := $(SQLITE_LIBS) $(CURL_LIBS) $(JSON_LIBS)

$(eval $(call add_unit,ipam_advertise,tests/unit/ipam/test_advertise.c,ipam cutover,$(IPAM_LDLIBS)))
$(eval $(call add_unit,ipam_alloc,tests/unit/ipam/test_alloc.c tests/unit/lib/test_store_harness.c,ipam cutover,$(IPAM_LDLIBS)))
