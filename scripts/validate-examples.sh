#!/usr/bin/env bash
# Part of `make docs-check`: `terraform validate` every example directory against the provider just
# built, so docs never show configuration the schema rejects. Offline: dev_overrides, no init.
#
# A file whose comments say "Requires Terraform X.Y+" (optionally "or OpenTofu X.Y+") is left out,
# with a "skip" line, when the CLI is older (or is OpenTofu and the file names no OpenTofu
# version): import blocks with identity need 1.12+, which the terraform on PATH (1.11) rejects.
# TF=/path/to/tofu validates with OpenTofu instead. Test files (*.tftest.hcl, beside the example or
# in its tests/ directory) are validated with it. .tfquery.hcl files (Terraform 1.14+) are not
# validated here: TestListResourceExampleMatchesSchema checks them against the list resource schema
# in `make test`, and TestAccAPIProductAttachment_query runs them on Terraform 1.14+.
set -euo pipefail

export CHECKPOINT_DISABLE=1

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/scripts/lib.sh"
BIN_DIR=${BIN_DIR:-$ROOT/bin}
[[ -x $BIN_DIR/terraform-provider-apigateway ]] || { echo "validate-examples: run 'make build' first" >&2; exit 1; }

TF=${TF:-terraform}
# "Terraform v1.11.4" or "OpenTofu v1.12.6"; the CLI config exists before the first call.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/apigateway-examples.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/terraform.rc"
cli_line=$(TF_CLI_CONFIG_FILE=$tmp/terraform.rc "$TF" version | sed -n 1p)
cli_name=${cli_line%% *}
cli_version=${cli_line##* v}

# version_ge A B: A >= B as dotted versions.
version_ge() { [[ $(printf '%s\n%s\n' "$1" "$2" | sort -V | sed -n 1p) == "$2" ]]; }

# required_version FILE: the version of $cli_name FILE requires, "" for none, "never" when the
# file requires a Terraform version and names no OpenTofu one.
required_version() {
	local line
	line=$(grep -m1 -oE 'Requires Terraform [0-9.]+\+( or OpenTofu [0-9.]+\+)?' "$1" || true)
	[[ -n $line ]] || return 0
	if [[ $cli_name == OpenTofu ]]; then
		if [[ $line =~ OpenTofu\ ([0-9.]+) ]]; then echo "${BASH_REMATCH[1]}"; else echo never; fi
	elif [[ $line =~ Terraform\ ([0-9.]+) ]]; then
		echo "${BASH_REMATCH[1]}"
	fi
}

# Both registry hosts: "cloudapi/apigateway" means registry.opentofu.org/... to OpenTofu.
dev_overrides_config "$tmp/terraform.rc" "$BIN_DIR" registry.terraform.io registry.opentofu.org
export TF_CLI_CONFIG_FILE=$tmp/terraform.rc

failed=0
cd "$ROOT"
while IFS= read -r dir; do
	work=$tmp/ws/$dir
	mkdir -p "$work"
	for f in "$dir"/*.tf; do
		need=$(required_version "$f")
		if [[ $need == never ]] || { [[ -n $need ]] && ! version_ge "$cli_version" "$need"; }; then
			echo "skip    $f (needs a newer CLI than $cli_line)"
			continue
		fi
		cp "$f" "$work/"
	done
	if ! compgen -G "$work/*.tf" >/dev/null; then
		echo "skip    $dir (every file needs a newer CLI)"
		continue
	fi
	# Test files (terraform test, Terraform 1.6+) are validated with their configuration.
	for f in "$dir"/*.tftest.hcl "$dir"/tests/*.tftest.hcl; do
		[[ -e $f ]] || continue
		mkdir -p "$work/$(dirname "${f#"$dir"/}")"
		cp "$f" "$work/${f#"$dir"/}"
	done
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
	if out=$("$TF" -chdir="$work" validate -no-color 2>&1); then
		echo "ok      $dir"
	else
		echo "INVALID $dir"
		echo "$out" | grep -v -e '^$' | sed 's/^/    /'
		failed=1
	fi
done < <(find examples -name '*.tf' -printf '%h\n' | sort -u)

exit "$failed"
