# Two commands on a fresh machine (Python 3.11, git, make): `make brief` and `make test`.
# Both create .venv if missing and install the project into it first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
MODEL  ?= caucasus_2020

.PHONY: setup brief test test-fast fuzz mutate lab check clean-reports help

help:
	@echo "make brief   - set up, then render reports/<model>/brief.html and charts (MODEL=name or path)"
	@echo "make test    - set up, then run the whole test suite"
	@echo "make lab     - set up, then open JupyterLab on notebooks/ (MODEL=name or path: the notebooks' model)"
	@echo "make check   - check the claims of MODEL"
	@echo "make fuzz    - a longer search for inputs that crash the CLI (N=2000 examples per test)"
	@echo "make mutate  - mutation testing of the layers above the engine; report in reports/mutation.md"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

setup: $(STAMP)

brief: $(STAMP)
	$(BIN)/bayes brief "$(MODEL_ARG)"

check: $(STAMP)
	$(BIN)/bayes check "$(MODEL_ARG)"

test: $(STAMP)
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not notebooks"

fuzz: $(STAMP)  # a longer hypothesis search with fresh examples (the suite runs a fixed sample)
	BAYES_FUZZ_EXAMPLES=$${N:-2000} $(BIN)/python -m pytest tests/test_fuzz.py -p no:cacheprovider

# slow (about 3 hours for all 9,400 mutants on 2 cores): not part of `make test`; settings in pyproject.toml
# [tool.mutmut]. ONLY='bayes.inference.claims* bayes.modelfile.scales*' runs a subset, keeping earlier results.
mutate: $(STAMP)
	$(if $(ONLY),,rm -rf mutants)
	$(BIN)/mutmut run --max-children $${JOBS:-2} $(ONLY)
	$(BIN)/python tests/mutation_report.py

# a path is made absolute (notebooks run in notebooks/); a bare name is looked up under data/models/
MODEL_ARG = $(if $(wildcard $(MODEL)),$(abspath $(MODEL)),$(MODEL))

# JupyterLab's defaults for this environment: no news or update pop-up over the notebooks (a user's own
# settings still win)
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json

$(LAB_OVERRIDES): notebooks/lab_overrides.json $(STAMP)
	mkdir -p $(dir $@) && cp notebooks/lab_overrides.json $@

lab: $(STAMP) $(LAB_OVERRIDES)
	BAYES_MODEL="$(MODEL_ARG)" $(BIN)/jupyter lab --notebook-dir=notebooks

clean-reports:
	rm -rf reports/
