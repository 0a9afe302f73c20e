#!/usr/bin/env bash
# `make docs-check`, after `make generate` (which renders docs/ with tfplugindocs and runs
# `tfplugindocs validate` on the result, see scripts/gen-docs.sh). Fails when:
#   - an example is not `terraform fmt`-ed, or fails `terraform validate` (scripts/validate-examples.sh);
#   - docs/ differs from what `make generate` produced, or has files git does not know;
#   - a Markdown file of the repository has a broken relative link or anchor (scripts/checklinks).
# Every check runs, so one run lists every problem.
#
# Environment: BIN_DIR (where `make build` put the provider; default ./bin).
set -uo pipefail

export CHECKPOINT_DISABLE=1

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN_DIR=${BIN_DIR:-$ROOT/bin}
cd "$ROOT"

failed=()

echo "==> terraform fmt -check examples"
terraform fmt -recursive -check -diff examples || failed+=("terraform fmt: run 'make fmt'")

echo "==> terraform validate on every example"
BIN_DIR=$BIN_DIR bash scripts/validate-examples.sh || failed+=("an example is invalid")

echo "==> docs/ is what 'make generate' produces"
if ! git diff --exit-code --stat -- docs/; then
	git diff -- docs/ | head -100
	failed+=("docs/ is out of date: run 'make generate' and commit the result")
fi
untracked=$(git ls-files --others --exclude-standard -- docs/)
if [[ -n $untracked ]]; then
	echo "$untracked"
	failed+=("docs/ has files that are not committed")
fi

echo "==> relative links in the Markdown files"
mapfile -t markdown < <(git ls-files --cached --others --exclude-standard -- '*.md')
go run ./scripts/checklinks "${markdown[@]}" || failed+=("broken relative links")

if ((${#failed[@]} > 0)); then
	printf 'docs-check: FAILED: %s\n' "${failed[@]}" >&2
	exit 1
fi
echo "docs-check: docs/ is up to date, the examples are valid, the links resolve"
