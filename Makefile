# Two commands set everything up: `make synth` and `make test`. Nothing here needs AWS
# credentials or network access beyond the package registries used on first install.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := synth

PYTHON ?= python3
VENV := .venv
CHECKOV_VENV := .venv-checkov
BENCH_VENV := .venv-bench
BIN := $(VENV)/bin
CDK := node_modules/.bin/cdk
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := true
export AWS_EC2_METADATA_DISABLED := true
# The targets that call AWS (diff, deploy, bootstrap RUN=1, destroy, status) may use an instance
# profile's credentials, as on a CI runner on EC2: synthesis needs none and must not wait for IMDS.
WITH_CREDENTIALS := env -u AWS_EC2_METADATA_DISABLED
# In CI the committed version lock must already be current: synth fails instead of writing it.
# PIN='<image or consumer>=<image version label>[,...]' pins those consumers to one image version,
# e.g. PIN=web-server=v1.2.3-4 (README: rollback runbook). It reaches the shell only quoted, from
# the environment, never spliced into the command line.
# FACTORY=path/to/file.yaml builds another factory file than factory.yaml.
# The lock file the app uses for FACTORY (app.py): the preflight's change report reads its record.
LOCK := $(if $(FACTORY),$(basename $(abspath $(FACTORY))).lock.json,golden-ami.lock.json)
# golden-ami:preflightReports: the preflight below reports the default VPC (GA-P009), so the
# construct does not warn too.
CDK_FLAGS := --no-notices --no-version-reporting -c golden-ami:preflightReports=true \
	$(if $(CI),-c golden-ami:versionLockFrozen=true) \
	$(if $(PIN),-c "pin=$$PIN") $(if $(FACTORY),-c factory=$(abspath $(FACTORY)))
export PIN
# UNPIN='<image>[,...]' (or all) lets a deploy drop the pins an earlier deploy set; without it, a
# deploy that would unpin a launch template is refused (constructs_lib/factory/held_pins.py).
export UNPIN
export ROLE
export IMAGE

.PHONY: synth test lint docs bench diff deploy clean fuzz lock policies bootstrap destroy status

# Every environment installs from a lock file with transitive pins and hashes (make lock writes them
# from the requirements files). pip installs uv alone, hash-checked; uv installs the rest.
UV := $(BIN)/uv
export UV_LINK_MODE := copy
export UV_NO_PROGRESS := 1
# Bytecode at install time: where PYTHONDONTWRITEBYTECODE is set (as on CI machines), Python would
# otherwise compile aws-cdk-lib's sources at every import, about 3 of the default synth's 8 seconds.
export UV_COMPILE_BYTECODE := 1
# The project's own modules likewise: make's Python processes write their bytecode (__pycache__ is
# ignored by git and left out of the Lambda assets), so a synth after the first compiles nothing.
export PYTHONDONTWRITEBYTECODE :=
INSTALL = $(UV) pip install --quiet --require-hashes --python
$(VENV)/.installed: requirements-uv.lock requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing Python dependencies into $(VENV)"
	@{ $(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements-uv.lock \
		&& $(INSTALL) $(BIN)/python -r requirements.lock; } >$(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }
	@touch $@

# checkov pins an old boto3, so it lives in a virtual environment of its own.
$(CHECKOV_VENV)/.installed: requirements-checkov.lock $(VENV)/.installed
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	@echo "installing checkov into $(CHECKOV_VENV)"
	@$(INSTALL) $(CHECKOV_VENV)/bin/python -r requirements-checkov.lock >$(CHECKOV_VENV)/pip.log 2>&1 \
		|| { cat $(CHECKOV_VENV)/pip.log; exit 1; }
	@touch $@

# The benchmark has its own environment: it adds aws-cdk's alpha Image Builder module to compare.
$(BENCH_VENV)/.installed: requirements-bench.lock $(VENV)/.installed
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	@echo "installing the benchmark environment into $(BENCH_VENV)"
	@$(INSTALL) $(BENCH_VENV)/bin/python -r requirements-bench.lock >$(BENCH_VENV)/pip.log 2>&1 \
		|| { cat $(BENCH_VENV)/pip.log; exit 1; }
	@touch $@

# After editing a requirements file: resolve again and rewrite the lock files (tests/test_makefile.py
# fails while a lock disagrees with its requirements file).
LOCK_FLAGS := --quiet --universal --generate-hashes --python-version 3.11 --custom-compile-command "make lock"
lock: $(VENV)/.installed
	@sed -n 's/^\(uv==[^ ]*\).*/\1/p' requirements.txt | $(UV) pip compile $(LOCK_FLAGS) - -o requirements-uv.lock
	@for name in requirements requirements-checkov requirements-bench; do \
		$(UV) pip compile $(LOCK_FLAGS) $$name.txt -o $$name.lock; done
	@echo "lock files written: requirements*.lock"

node_modules/.installed: package.json package-lock.json
	@echo "installing the pinned CDK CLI"
	@npm ci --no-audit --no-fund --loglevel=error >/dev/null
	@touch $@

# The last good cdk.out stays until a new one is complete and clean: synthesis and its checks
# run in cdk.out.next, which replaces cdk.out only when they all pass.
NEXT := cdk.out.next
synth: $(VENV)/.installed $(CHECKOV_VENV)/.installed node_modules/.installed
	@rm -rf $(NEXT)
	@$(CDK) synth -q --no-lookups --output $(NEXT) $(CDK_FLAGS) \
		2> >(grep -v -e "feature flags are not configured" -e "^Successfully synthesized" -e "^Supply a stack id" >&2) >/dev/null
	@regions="$$($(BIN)/python scripts/summary.py --regions $(NEXT))"; \
		$(BIN)/cfn-lint --regions $$regions -- $(NEXT)/*.template.json && \
		echo "cfn-lint: every template clean in $$regions"
	@$(CHECKOV_VENV)/bin/checkov -d $(NEXT) --framework cloudformation --skip-download --quiet --compact -o cli \
		| grep -v "^$$"
	@# AWS's rules between resources, stacks, accounts and regions; errors stop here (README: Preflight),
	@# before the new assembly replaces the last good cdk.out.
	@$(BIN)/python -m constructs_lib.checks.preflight $(NEXT) --lock $(LOCK) $(if $(CI),--frozen)
	@rm -rf cdk.out && mv $(NEXT) cdk.out
	@$(BIN)/python scripts/summary.py cdk.out
	@echo "report: cdk.out/factory-report.md"

# The factory file's JSON schema and the README's diagram of factory.yaml (tests fail when stale).
docs: $(VENV)/.installed
	@$(BIN)/python scripts/docs.py

lint: $(VENV)/.installed
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(BIN)/mypy

test: $(VENV)/.installed $(CHECKOV_VENV)/.installed lint
	@$(BIN)/python -m pytest -q

# Synthesis cost against the floor and the alpha module; rewrites BENCHMARKS.md.
bench: $(VENV)/.installed $(CHECKOV_VENV)/.installed $(BENCH_VENV)/.installed
	@$(BENCH_VENV)/bin/python scripts/bench.py $(BENCH_ARGS)

# diff and deploy use the assembly `make synth` just checked (cdk.out), never a second synthesis.
# The deploy guard runs first: a file with the sample's placeholders, without `account:`, or for
# another account than the caller's credentials is refused before any AWS call that changes
# something (constructs_lib/factory/deploy_guard.py); then no image may be built for a pipeline a
# revocation holds (constructs_lib/factory/held_builds.py), nor a pin dropped that an earlier deploy
# set (constructs_lib/factory/held_pins.py); both read-only.
ASSEMBLY_FLAGS := --app cdk.out --no-notices --no-version-reporting
diff: synth
	@$(WITH_CREDENTIALS) $(CDK) diff $(ASSEMBLY_FLAGS)

deploy: synth
	@$(WITH_CREDENTIALS) $(BIN)/python -m constructs_lib.factory.deploy_guard $(or $(FACTORY),factory.yaml)
	@$(WITH_CREDENTIALS) $(BIN)/python -m constructs_lib.factory.held_builds cdk.out
	@$(WITH_CREDENTIALS) $(BIN)/python -m constructs_lib.factory.held_pins cdk.out
	@$(WITH_CREDENTIALS) $(CDK) deploy --all $(ASSEMBLY_FLAGS)

# The policies CloudFormation needs in each account (cdk bootstrap --cloudformation-execution-policies),
# derived from the checked templates; prints the aws iam create-policy commands.
policies: synth
	@$(BIN)/python -m constructs_lib.factory.deploy_policies cdk.out

# The cdk bootstrap command of every account and region that holds a stack, with --trust and the
# policies above; RUN=1 runs those of the account the current credentials are for.
bootstrap: synth node_modules/.installed
	@$(WITH_CREDENTIALS) $(BIN)/python -m constructs_lib.factory.bootstrap cdk.out $(if $(RUN),--run)

# What runs where, read-only: every image's newest version per region and account, its fleets and
# whether they converged, pins, deprecated and revoked versions (README: golden-ami-status). Needs
# credentials of the factory account; ROLE=<GoldenAmiStatusReader ARN> assumes it first (needed to
# read other accounts), JSON=1 for scripts, IMAGE=<pipeline> for one image. The home region comes
# from the factory file.
status: $(VENV)/.installed
	@$(WITH_CREDENTIALS) $(BIN)/python -m constructs_lib.factory.status \
		--factory $(or $(FACTORY),factory.yaml) $(if $(ROLE),--role-arn "$$ROLE") $(if $(IMAGE),--image "$$IMAGE") \
		$(if $(JSON),--json)

# The factory's stacks in reverse dependency order and what they leave behind, with the commands
# that remove it: a dry run; EXECUTE=1 destroys after you type the factory account ID.
destroy: synth node_modules/.installed
	@$(WITH_CREDENTIALS) $(BIN)/python -m constructs_lib.factory.teardown cdk.out $(if $(EXECUTE),--execute)

clean:
	rm -rf cdk.out $(NEXT) $(VENV) $(CHECKOV_VENV) $(BENCH_VENV) node_modules

# Generated and hostile factory files (scripts/fuzz.py): the loader on every case; synth, the packs,
# cfn-lint and the preflight on every distinct accepted model (identical models share one synth);
# prints the counts. FUZZ_MINUTES stops it early, reporting how many cases ran.
N ?= 10000
FUZZ_MINUTES ?= 0
fuzz: $(VENV)/.installed
	@$(BIN)/python -m scripts.fuzz --cases $(N) --minutes $(FUZZ_MINUTES)
