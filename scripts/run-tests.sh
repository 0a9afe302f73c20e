#!/usr/bin/env bash
# The go test runs behind `make test`, `make test-profiles` and `make testacc-opentofu`:
#
#   scripts/run-tests.sh test [GO TEST ARGS...]              every test (TESTARGS, then PKGS)
#   scripts/run-tests.sh test-profiles                       the behaviour-profile matrices, every profile
#   scripts/run-tests.sh testacc-opentofu [GO TEST ARGS...]  the acceptance tests under OpenTofu (OPENTOFU)
#
# Each runs go test -race -json through scripts/testsummary, which fails the run unless an
# acceptance test passed (-require-run) and says how many ran and were skipped on which CLI, then
# prints "make MODE: Ns"; the exit status is go test's or testsummary's. Same go test flags in every
# mode, so a test binary built by one comes from the build cache in the next.
#
# Environment (GNUmakefile sets them): BIN_DIR, TEST_TIMEOUT (default 30m), REQUIRE_RUN (mode test;
# empty: no check), SUMMARY_FILE (where testsummary appends its per-CLI line; empty: nowhere),
# OPENTOFU and OPENTOFU_DIR (mode testacc-opentofu).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN_DIR=${BIN_DIR:-$ROOT/bin}
TEST_TIMEOUT=${TEST_TIMEOUT:-30m}
SUMMARY_FILE=${SUMMARY_FILE:-}
mode=${1:?usage: run-tests.sh test|test-profiles|testacc-opentofu [go test args...]}
shift

# Built before the tests start so that its compile time does not stall the test pipe.
mkdir -p "$BIN_DIR"
echo "go build -o $BIN_DIR/testsummary ./scripts/testsummary"
(cd "$ROOT" && go build -o "$BIN_DIR/testsummary" ./scripts/testsummary)

# cli_line CLI: the first line of `CLI version` ("Terraform v1.11.4"), "unknown CLI" when it fails.
cli_line() {
	local line
	line=$("$1" version 2>/dev/null | sed -n 1p) || true
	echo "${line:-unknown CLI}"
}

summary=("$BIN_DIR/testsummary")
case $mode in
test)
	# The acceptance tests run on TF_ACC_TERRAFORM_PATH if set, else on the terraform on PATH.
	go_args=("$@")
	summary+=(-require-run "${REQUIRE_RUN:-}" -cli "$(cli_line "${TF_ACC_TERRAFORM_PATH:-terraform}")" -record "$SUMMARY_FILE")
	;;
test-profiles)
	export APIGATEWAY_ACC_PROFILES=all
	go_args=(-run '^TestAcc.*[pP]rofiles$' ./internal/provider/)
	summary+=(-require-run TestAccAPIProduct)
	;;
testacc-opentofu)
	# OpenTofu needs its own registry host for the provider address, and a CLI config file that
	# exists (a missing one makes it print a warning that breaks terraform-plugin-testing's version
	# parsing). The import by identity test must pass here: this is the CLI that runs it.
	: "${OPENTOFU:?set OPENTOFU to the tofu binary (make testacc-opentofu does)}"
	export TF_CLI_CONFIG_FILE=${OPENTOFU_DIR:-$(dirname "$OPENTOFU")}/empty.tfrc
	export TF_ACC_TERRAFORM_PATH=$OPENTOFU TF_ACC_PROVIDER_HOST=registry.opentofu.org
	go_args=(-run '^TestAcc' "$@" ./internal/provider/...)
	summary+=(-require-run TestAccAPIProduct -require-run TestAccAPIProductAttachment_identity
		-cli "$(cli_line "$OPENTOFU")" -record "$SUMMARY_FILE")
	;;
*)
	echo "run-tests: unknown mode $mode (test, test-profiles or testacc-opentofu)" >&2
	exit 2
	;;
esac

cd "$ROOT"
start=$SECONDS
rc=0
TF_ACC=1 go test -race -count=1 -timeout "$TEST_TIMEOUT" -json "${go_args[@]}" 2>&1 | "${summary[@]}" || rc=$?
echo "make $mode: $((SECONDS - start))s"
exit "$rc"
