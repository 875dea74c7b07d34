# make coverage: line and branch coverage of core/, port/ and platform/ from the unit suite
# and the end-to-end suite together (gcc --coverage build in build/cov), with gcovr:
#   build/coverage/summary.txt   per file: lines, branches, and the line numbers not run
#   build/coverage/index.html    the same, browsable, source annotated
#   build/coverage/core.txt      core/ alone, per file: lines (core-branches.txt: branches)
# The last line is core/'s own figures. COVERAGE_CORE_TARGET=1 makes the targets a gate: the
# run fails under 100 % of lines or 90 % of branches in core/ (GCOVR_EXCL marks in the source
# leave out what an invariant makes unreachable, each with its reason).
# COVERAGE_FAIL_UNDER="--fail-under-line N --fail-under-branch N" gates the whole report.

COV_BUILD := build/cov
COV_OUT := build/coverage
COV_MAKE = $(MAKE) --no-print-directory BUILD=$(COV_BUILD) OPT="-O0 -g --coverage"
# Only the library's objects are read (gcovr 5.2 trips over the tests' copies of header
# inlines); branches on lines with no code (unreachable) are left out.
GCOVR = gcovr --root . --filter 'core/' --filter 'port/' --filter 'platform/' \
        --exclude-unreachable-branches
GCOVR_DATA = $(COV_BUILD)/core $(COV_BUILD)/port $(COV_BUILD)/platform
COVERAGE_FAIL_UNDER ?=
COVERAGE_CORE_TARGET ?=
COV_CORE_GATE = $(if $(filter 1,$(COVERAGE_CORE_TARGET)),--fail-under-line 100 --fail-under-branch 90)
COV_CORE_NOTE = targets 100 % and 90 %$(if $(COV_CORE_GATE),: gated,; COVERAGE_CORE_TARGET=1 makes them a gate)
# test_install.py is left out: its consumers link the installed --coverage library with plain cc
# (no libgcov); it installs, it does not exercise the library.

.PHONY: coverage
coverage:
	$(COV_MAKE) -j2 all unit
	find $(COV_BUILD) -name '*.gcda' -delete
	$(COV_MAKE) test-unit
	$(COV_MAKE) PYTEST_PATHS=tests/e2e PYTEST_ARGS="--ignore=tests/e2e/test_firmware.py --ignore=tests/e2e/test_install.py" test-e2e
	$(MAKE) --no-print-directory coverage-report

# The report of what build/cov holds (make coverage runs it after the suites). Exit statuses
# are kept: no pipe ends a gcovr command.
.PHONY: coverage-report
coverage-report:
	mkdir -p $(COV_OUT)
	$(GCOVR) --txt $(COV_OUT)/lines.txt --html-details $(COV_OUT)/index.html --print-summary \
	    $(COVERAGE_FAIL_UNDER) $(GCOVR_DATA) > $(COV_OUT)/summary.txt; st=$$?; \
	    cat $(COV_OUT)/summary.txt; exit $$st
	$(GCOVR) --branches --txt $(COV_OUT)/branches.txt $(GCOVR_DATA) >/dev/null
	@cat $(COV_OUT)/lines.txt
	@echo "coverage: $(COV_OUT)/index.html; branches per file in $(COV_OUT)/branches.txt"
	@gcovr --root . --filter 'core/' --exclude-unreachable-branches --branches \
	    --txt $(COV_OUT)/core-branches.txt $(COV_BUILD)/core >/dev/null
	@gcovr --root . --filter 'core/' --exclude-unreachable-branches --print-summary \
	    $(COV_CORE_GATE) --txt $(COV_OUT)/core.txt $(COV_BUILD)/core > $(COV_OUT)/core-summary.txt; \
	    st=$$?; l=$$(sed -n 's/^lines: //p' $(COV_OUT)/core-summary.txt); \
	    b=$$(sed -n 's/^branches: //p' $(COV_OUT)/core-summary.txt); \
	    echo "coverage of core/ alone: lines $$l, branches $$b ($(COV_CORE_NOTE))" | \
	    tee -a $(COV_OUT)/summary.txt; exit $$st
