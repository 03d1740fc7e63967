# The two commands of the README's quick start:
#   make demo   set up .venv, build the Pinlab demo workspace, open `lablens chat` on it
#               (in a terminal; otherwise print the tour and the chat command)
#   make test   set up .venv, run the whole test suite
# Both install only what is missing; pyproject.toml changes trigger a reinstall.

PYTHON ?= python3
VENV ?= .venv
DEMO ?= pinlab-demo
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test setup lint bench clean-demo

demo: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/lablens demo --workspace $(DEMO)
	@if [ -t 0 ] && [ -t 1 ]; then \
		HF_HUB_OFFLINE=1 $(BIN)/lablens chat --workspace $(DEMO); \
	else \
		$(BIN)/lablens tour --workspace $(DEMO); \
		echo; echo "Open the chat with: $(BIN)/lablens chat --workspace $(DEMO)"; \
	fi

test: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest

setup: $(STAMP)

# torch first, pinned: it is a CPU build pip takes from local disk. Left to the resolver,
# sentence-transformers would pull a CUDA build of several GB.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "torch==2.13.0"
	$(BIN)/python -m pip install --quiet -e ".[dev,spark]"
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check agent tools indexes prompts tests bench
	$(BIN)/mypy agent tools indexes

clean-demo:
	rm -rf $(DEMO)
