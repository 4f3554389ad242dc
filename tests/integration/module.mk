# tests/integration: lab-level tests owned by no single module. Module tests register
# in their own module.mk; zz_* runs last (appended by the Makefile).
INTEGRATION_TESTS += tests/integration/lab_basic.sh
INTEGRATION_TESTS += tests/integration/docs_config.sh
