# The unit suite in a second configuration, the way jsmn tests every build option:
#
#   make test-unit-fw    built on the host with the firmware's limits and trims
#                        (examples/firmware/sg_user_config.h, through
#                        tests/unit/support/fw_limits_config.h, which keeps the parts the
#                        firmware leaves out for flash) and its -Os, so the code kept for
#                        size (the JSON reader's small scanner) runs the whole suite too,
#                        into build/fwlimits, and run (a step of make test)
#
# The objects are rebuilt whenever those flags (optimization included) change (the rules do
# not track flags). The flags hold quotes, so they reach the sub-make through the
# environment, untouched, and ride in OPT: EXTRA_CFLAGS is what some tests' own rules add to.

FWL_BUILD := build/fwlimits
# All unit tests but test_layout_mismatch, test_fw_limits and the *_trims tests, which set
# options of their own (they run in the default configuration).
FWL_BIN = $(filter-out %/test_layout_mismatch %/test_fw_limits %_trims,$(UNIT_BIN:$(BUILD)/%=$(FWL_BUILD)/%))

.PHONY: test-unit-fw
test-unit-fw: export FWL_EXTRA = -Os -g -DSG_USER_CONFIG_FILE='"fw_limits_config.h"' \
    -Iexamples/firmware -Itests/unit/support -DSG_TEST_FW_LIMITS=1
test-unit-fw:
	@mkdir -p $(FWL_BUILD); printf '%s\n' "$$FWL_EXTRA" | cmp -s - $(FWL_BUILD)/.flags || \
	    { rm -rf $(FWL_BUILD); mkdir -p $(FWL_BUILD); printf '%s\n' "$$FWL_EXTRA" > $(FWL_BUILD)/.flags; }
	$(MAKE) --no-print-directory -j2 BUILD=$(FWL_BUILD) OPT="$$FWL_EXTRA" $(FWL_BIN)
	tests/run_unit.sh $(FWL_BUILD)/tests
