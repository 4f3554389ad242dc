# cmd/: the mains. Each module appends its CLI sources and libraries:
#   CUTOVER_CLI_SRCS += cmd/cutover/cli_<name>.c
#   CUTOVER_CLI_LIBS += <module>       (archives link as one group: order does not matter)
#   CUTOVER_CLI_LDLIBS += $(SOME_LIBS)
CUTOVER_CLI_SRCS += cmd/cutover/main.c
CUTOVER_CLI_LIBS += cutover

# cutoverd: one init function per subsystem in cmd/cutoverd/main.c; daemon config in
# cmd/cutoverd/daemon_conf.c. Modules add their archive and link flags here.
# (the binary itself is defined in the top Makefile, after every module.mk).
CUTOVERD_SRCS += cmd/cutoverd/main.c cmd/cutoverd/daemon_conf.c
CUTOVERD_LIBS += bgp cutover
CUTOVERD_LDLIBS += $(YAML_LIBS) $(EVENT_LIBS) $(JSON_LIBS) $(NL_LIBS)
CUTOVER_CLI_SRCS += cmd/cutover/cli_bgp.c cmd/cutover/cli_bfd.c
CUTOVER_CLI_LDLIBS += $(EVENT_LIBS) $(JSON_LIBS)
