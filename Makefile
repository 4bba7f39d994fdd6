# The two set-up commands (see README): `make demo` and `make test`.
# Everything runs with the standard library; pytest is installed into .venv/ for the tests only.

PYTHON ?= python3
VENV := .venv
VENV_PY := $(VENV)/bin/python
TOOL := $(PYTHON) tools/data_flywheel_export.py
DEMO_OUT := build/demo-export

.PHONY: demo test bench bench-1m bench-redact agent check-agent clean help

help:
	@echo "make demo          export the bundled example (examples/flywheel/) and show its status"
	@echo "make test          run the test suite (creates .venv/ with pytest on first use)"
	@echo "make bench         export CPU and memory against a parse-and-reserialize floor; dedup quality; dataset report"
	@echo "make bench-redact  redaction recall per context and type, precision on real sessions, MB per CPU-second"
	@echo "make agent         rebuild .agent/tools/ from tools/, schemas/ and skills/ (the installer)"

demo:
	SOURCE_DATE_EPOCH=1777104000 $(TOOL) export --approved-runs examples/flywheel/approved-runs.jsonl --out $(DEMO_OUT) --project example
	@echo
	$(TOOL) status --approved-runs examples/flywheel/approved-runs.jsonl --project example
	@echo
	@echo "The export is in $(DEMO_OUT)/ (start with README.md and context-cards/)."
	@echo "The report is $(DEMO_OUT)/report.html (open it: $(TOOL) report $(DEMO_OUT) --open)."

$(VENV_PY):
	$(PYTHON) -m venv $(VENV)
	$(VENV_PY) -m pip install --quiet --disable-pip-version-check "pytest>=7"

test: $(VENV_PY)
	$(VENV_PY) -m pytest -q

bench:
	$(PYTHON) bench/export_bench.py
	$(PYTHON) bench/harvest_bench.py
	$(PYTHON) bench/dedup_quality.py
	$(PYTHON) bench/dataset_report.py --runs 5000

bench-1m:
	$(PYTHON) bench/export_bench.py --sizes 10000,100000,1000000


bench-redact:
	$(PYTHON) bench/redact_bench.py

# The installer, run on this checkout itself: builds .agent/tools/ from the sources (no ledger).
agent:
	$(PYTHON) tools/data_flywheel_export.py install --target . --harness none

clean:
	rm -rf build $(VENV) .pytest_cache
