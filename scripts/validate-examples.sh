#!/usr/bin/env bash
# Part of `make docs-check`: `terraform validate` every example directory against the provider just
# built, so docs never show configuration the schema rejects. Offline: dev_overrides, no init.
set -euo pipefail

export CHECKPOINT_DISABLE=1

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN_DIR=${BIN_DIR:-$ROOT/bin}
[[ -x $BIN_DIR/terraform-provider-apigateway ]] || { echo "validate-examples: run 'make build' first" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/apigateway-examples.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/terraform.rc" <<EOF
provider_installation {
  dev_overrides {
    "registry.terraform.io/cloudapi/apigateway" = "$BIN_DIR"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE=$tmp/terraform.rc

failed=0
cd "$ROOT"
while IFS= read -r dir; do
	work=$tmp/ws/$dir
	mkdir -p "$work"
	cp "$dir"/*.tf "$work/"
	# Examples that only show a resource rely on the provider's implicit source; name ours.
	if ! grep -q 'required_providers' "$work"/*.tf; then
		cat >"$work/zz_versions.tf" <<'EOF'
terraform {
  required_providers {
    apigateway = {
      source = "cloudapi/apigateway"
    }
  }
}
EOF
	fi
	if out=$(terraform -chdir="$work" validate -no-color 2>&1); then
		echo "ok      $dir"
	else
		echo "INVALID $dir"
		echo "$out" | grep -v -e '^$' | sed 's/^/    /'
		failed=1
	fi
done < <(find examples -name '*.tf' -printf '%h\n' | sort -u)

exit "$failed"
