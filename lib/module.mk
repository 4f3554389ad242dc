# lib/: libcutover.a, shared by every module. Add new lib sources here.
LIB_SRCS := lib/buf.c lib/log.c lib/diag.c lib/addr.c lib/trie.c lib/json.c
$(eval $(call add_lib,cutover,$(LIB_SRCS)))

$(eval $(call add_unit,lib_buf,tests/unit/lib/test_buf.c,cutover,))
$(eval $(call add_unit,lib_addr,tests/unit/lib/test_addr.c,cutover,))
$(eval $(call add_unit,lib_trie,tests/unit/lib/test_trie.c,cutover,))
$(eval $(call add_unit,lib_diag,tests/unit/lib/test_diag.c,cutover,))
$(eval $(call add_fuzz,fuzz_prefix,tests/fuzz/fuzz_prefix.c,cutover,))
