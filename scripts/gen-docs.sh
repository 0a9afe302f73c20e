#!/usr/bin/env bash
# `make generate`: templates/ + examples/ + the provider schema -> docs/, with tfplugindocs.
#
# tfplugindocs, left to itself, builds the provider and looks for terraform with hc-install:
# first on PATH, then by DOWNLOADING the latest release. To make a download impossible we never
# let it get that far: we export the schema ourselves with the terraform on PATH and hand it over
# with --providers-schema (which skips building and calling Terraform entirely), and we never pass
# --tf-version.
#
# The schema comes from `terraform providers schema -json` in a scratch directory whose CLI config
# has dev_overrides for our provider, so there is no `terraform init` and no registry access.
# Terraform 1.11 reports neither resource identity schemas (1.12+) nor list resource schemas
# (1.14+), which tfplugindocs v0.25.0 renders (the identity under Import, docs/list-resources/), so
# scripts/providerschema adds them from the provider's own GetProviderSchema and
# GetResourceIdentitySchemas answers, served in-process; it also converts every schema terraform
# did report and fails unless they match terraform's exactly, so the added ones are in the same
# format. Terraform names the provider by its full address; tfplugindocs looks it up by short
# name, so the key is rewritten to "apigateway".
#
# tfplugindocs is the version pinned in tools/go.mod, run with `go tool` (built once into the Go
# build cache). Environment: BIN_DIR (where the provider and providerschema were built),
# TFPLUGINDOCS (another tfplugindocs binary to run instead).
set -euo pipefail

export CHECKPOINT_DISABLE=1

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/scripts/lib.sh"
BIN_DIR=${BIN_DIR:-$ROOT/bin}
ADDRESS=registry.terraform.io/cloudapi/apigateway
SHORT=apigateway

command -v terraform >/dev/null || { echo "gen-docs: terraform is not on PATH (docs generation never downloads one)" >&2; exit 1; }
[[ -x $BIN_DIR/terraform-provider-$SHORT ]] || { echo "gen-docs: $BIN_DIR/terraform-provider-$SHORT missing: run 'make build'" >&2; exit 1; }
if [[ -n ${TFPLUGINDOCS:-} ]]; then
	tfplugindocs=("$TFPLUGINDOCS")
else
	tfplugindocs=(go tool -modfile="$ROOT/tools/go.mod" tfplugindocs)
fi
[[ -x $BIN_DIR/providerschema ]] || { echo "gen-docs: $BIN_DIR/providerschema missing: run 'make generate'" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/apigateway-docs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

dev_overrides_config "$tmp/terraform.rc" "$BIN_DIR"
mkdir "$tmp/ws"
cat >"$tmp/ws/main.tf" <<EOF
terraform {
  required_providers {
    $SHORT = {
      source = "$ADDRESS"
    }
  }
}
EOF

# stderr carries the dev_overrides warning; keep it out of the JSON.
if ! TF_CLI_CONFIG_FILE=$tmp/terraform.rc terraform -chdir="$tmp/ws" providers schema -json \
	>"$tmp/schema.raw.json" 2>"$tmp/schema.err"; then
	echo "gen-docs: terraform providers schema failed:" >&2
	cat "$tmp/schema.err" >&2
	exit 1
fi
grep -q "\"$ADDRESS\"" "$tmp/schema.raw.json" || { echo "gen-docs: $ADDRESS not in the exported schema" >&2; exit 1; }
"$BIN_DIR/providerschema" -address "$ADDRESS" <"$tmp/schema.raw.json" >"$tmp/schema.full.json"
sed "s#\"$ADDRESS\":#\"$SHORT\":#" "$tmp/schema.full.json" >"$tmp/schema.json"

cd "$ROOT"
"${tfplugindocs[@]}" generate \
	--provider-dir "$ROOT" \
	--provider-name "$SHORT" \
	--rendered-provider-name "$SHORT" \
	--providers-schema "$tmp/schema.json" \
	--examples-dir examples \
	--website-source-dir templates \
	--rendered-website-dir docs \
	--website-temp-dir "$tmp/website"

# validate logs a DEBUG line per file checked; keep only what matters.
set +e
"${tfplugindocs[@]}" validate \
	--provider-dir "$ROOT" \
	--provider-name "$SHORT" \
	--providers-schema "$tmp/schema.json" 2>&1 | grep -v '\[DEBUG\]'
rc=${PIPESTATUS[0]}
set -e
exit "$rc"
