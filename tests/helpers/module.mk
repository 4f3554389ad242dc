# tests/helpers: tools used by integration tests and benches (not shipped).
# bgp-inject: MRT / generated-prefix BGP injector (RIB tests, bench/bgp-ingest), on top of
# the MRT record reader tests/helpers/mrt.c (bgp-wire) and mrt_routes.c (routes view).
$(eval $(call add_bin,bgp-inject,tests/helpers/bgp_inject.c tests/helpers/mrt_routes.c tests/helpers/mrt.c,bgp cutover,-lz))
$(eval $(call add_unit,bgp_mrt_routes,tests/unit/bgp/test_mrt_routes.c tests/helpers/mrt_routes.c tests/helpers/mrt.c,bgp cutover,-lz))
$(eval $(call add_fuzz,fuzz_mrt_routes,tests/fuzz/fuzz_mrt_routes.c tests/helpers/mrt_routes.c tests/helpers/mrt.c,bgp cutover,-lz))
BENCHES += bench/bgp-ingest/run.sh
# ingest-poll: times bench/bgp-ingest's daemons (route count reached) without a fork per poll
$(eval $(call add_bin,ingest-poll,bench/bgp-ingest/ingest_poll.c,cutover,$(JSON_LIBS)))
BENCH_BINS += $(B)/bin/ingest-poll
