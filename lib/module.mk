# lib/: libcutover.a, shared by every module. Add new lib sources here.
LIB_SRCS := lib/buf.c lib/log.c lib/diag.c lib/addr.c lib/trie.c lib/file.c
LIB_SRCS += lib/yamlconf.c lib/ctl.c lib/ctl_client.c lib/metrics.c
# users of lib/ctl and lib/metrics link $(CTL_LIBS)
CTL_LIBS = $(EVENT_LIBS) $(JSON_LIBS)
# the store (SQLite and etcd backends); users link $(STORE_LIBS)
LIB_SRCS += lib/store.c lib/store_sqlite.c lib/store_etcd.c
STORE_LIBS = $(SQLITE_LIBS) $(CURL_LIBS) $(JSON_LIBS)
LIB_SRCS += lib/json.c
$(eval $(call add_lib,cutover,$(LIB_SRCS)))

$(eval $(call add_unit,lib_buf,tests/unit/lib/test_buf.c,cutover,))
$(eval $(call add_unit,lib_addr,tests/unit/lib/test_addr.c,cutover,))
$(eval $(call add_unit,lib_trie,tests/unit/lib/test_trie.c,cutover,))
$(eval $(call add_unit,lib_diag,tests/unit/lib/test_diag.c,cutover,))
$(eval $(call add_unit,lib_file,tests/unit/lib/test_file.c,cutover,))
$(eval $(call add_unit,lib_ctl,tests/unit/lib/test_ctl.c,cutover,$$(CTL_LIBS) -lpthread))
$(eval $(call add_fuzz,fuzz_prefix,tests/fuzz/fuzz_prefix.c,cutover,))
$(eval $(call add_unit,lib_store,tests/unit/lib/test_store.c tests/unit/lib/test_store_harness.c,cutover,$(STORE_LIBS)))
