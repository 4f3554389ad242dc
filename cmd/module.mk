# cmd/: the mains. Each module appends its CLI sources and libraries:
#   CUTOVER_CLI_SRCS += cmd/cutover/cli_<name>.c
#   CUTOVER_CLI_LIBS += <module>       (archives link as one group: order does not matter)
#   CUTOVER_CLI_LDLIBS += $(SOME_LIBS)
CUTOVER_CLI_SRCS += cmd/cutover/main.c
CUTOVER_CLI_LIBS += cutover
