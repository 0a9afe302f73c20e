#!/usr/bin/env bash
# `make demo`: the provider end to end against a local emulator, with no cloud account and no network.
#
#   1. starts bin/apigateway-emulator on a free loopback port with examples/emulator/demo-seed.json;
#   2. writes a Terraform CLI config whose dev_overrides point at bin/ (so no `terraform init`, no registry);
#   3. creates an app (scripts/democheck -create-app: the provider manages no apps);
#   4. `terraform apply` on a copy of examples/demo: a product managed whole by apigateway_api_product
#      (every seeded API in RELEASE and PRE), the app authorized on it, a second product built from
#      apigateway_api_product_attachment resources, both read back through the data sources;
#   5. `terraform plan` must find nothing to change; `terraform destroy`;
#   6. asks the emulator (scripts/democheck, through internal/cloudapi) that both products are empty
#      (the first one deleted) and that no app is authorized any more;
#   7. stops the emulator. Any failure exits non-zero.
#
# Expects `make build` to have run (the demo target does it). Environment knobs:
#   BIN_DIR      where terraform-provider-apigateway and apigateway-emulator are (default ./bin)
#   DEMO_SEED    seed file (default examples/emulator/demo-seed.json)
#   DEMO_KEEP=1  keep the temporary directory (terraform files, emulator log) for a look afterwards
#   DEMO_TLS=1   the emulator serves HTTPS (--tls) and the provider uses its default protocol, trusting
#                the emulator's private CA through SSL_CERT_FILE, as a user of a private endpoint would
set -euo pipefail

export CHECKPOINT_DISABLE=1

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/scripts/lib.sh"
BIN_DIR=${BIN_DIR:-$ROOT/bin}
SEED=${DEMO_SEED:-$ROOT/examples/emulator/demo-seed.json}
# The demo account of the seed file; public demo values, not secrets.
ACCESS_KEY=${DEMO_ACCESS_KEY:-LTAI5tDemoAccessKeyId}
SECRET_KEY=${DEMO_SECRET_KEY:-demo-secret-not-for-production}
REGION=${DEMO_REGION:-cn-hangzhou}
PRODUCT=${DEMO_PRODUCT:-demo0000000000000000000000000001}
PRODUCT2=${DEMO_PRODUCT2:-demo0000000000000000000000000002}

say() { printf '\n==> %s\n' "$*"; }
die() { printf 'demo: FAILED: %s\n' "$*" >&2; exit 1; }

command -v terraform >/dev/null || die "terraform is not on PATH (the demo never downloads one)"
command -v go >/dev/null || die "go is not on PATH"
for b in terraform-provider-apigateway apigateway-emulator; do
	[[ -x $BIN_DIR/$b ]] || die "$BIN_DIR/$b is missing: run 'make build' (or 'make demo')"
done
[[ -r $SEED ]] || die "seed file $SEED is missing"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/apigateway-demo.XXXXXX")
emu_pid=""

cleanup() {
	local rc=$?
	if [[ -n $emu_pid ]] && kill -0 "$emu_pid" 2>/dev/null; then
		kill -TERM "$emu_pid" 2>/dev/null || true
		wait "$emu_pid" 2>/dev/null || true
	fi
	if [[ $rc -ne 0 && -s $tmp/emulator.log ]]; then
		echo "--- last lines of the emulator log ($tmp/emulator.log):" >&2
		tail -n 20 "$tmp/emulator.log" >&2 || true
	fi
	if [[ ${DEMO_KEEP:-} == 1 || $rc -ne 0 ]]; then
		echo "demo: files kept in $tmp" >&2
	else
		rm -rf "$tmp"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

scheme=http protocol=HTTP tls_args=()
if [[ ${DEMO_TLS:-} == 1 ]]; then
	scheme=https protocol=HTTPS tls_args=(--tls --ca-file "$tmp/ca.pem")
fi

say "Starting the emulator with $(realpath --relative-to="$ROOT" "$SEED" 2>/dev/null || echo "$SEED")"
# The same credentials on the command line as in the seed make them the emulator's default account,
# so it does not invent (and print) a second, generated key.
APIGATEWAY_EMULATOR_ACCESS_KEY_ID=$ACCESS_KEY APIGATEWAY_EMULATOR_ACCESS_KEY_SECRET=$SECRET_KEY \
	"$BIN_DIR/apigateway-emulator" --listen 127.0.0.1:0 --region "$REGION" --seed "$SEED" "${tls_args[@]}" \
	>"$tmp/emulator.out" 2>"$tmp/emulator.log" &
emu_pid=$!

# The first stdout line is "listening on http(s)://HOST:PORT"; wait for it to be complete (newline seen).
line=""
for _ in $(seq 1 150); do
	if [[ -s $tmp/emulator.out ]] && [[ $(wc -l <"$tmp/emulator.out") -ge 1 ]]; then
		line=$(head -n 1 "$tmp/emulator.out")
		break
	fi
	kill -0 "$emu_pid" 2>/dev/null || die "the emulator exited at start: $(cat "$tmp/emulator.log")"
	sleep 0.1
done
[[ $line == "listening on $scheme://"* ]] || die "unexpected first line from the emulator: '${line:-<none after 15s>}'"
endpoint=${line#listening on $scheme://}
if [[ $scheme == https ]]; then
	# The CA line follows the listening line; wait until the file it names is written.
	for _ in $(seq 1 50); do grep -q '^ca certificate: ' "$tmp/emulator.out" && break; sleep 0.1; done
	[[ -s $tmp/ca.pem ]] || die "the emulator did not write its CA certificate to $tmp/ca.pem"
	# Terraform, the provider it starts and democheck all trust the emulator's private CA this way.
	export SSL_CERT_FILE=$tmp/ca.pem
fi
echo "$line"
sed -n '2,$p' "$tmp/emulator.out"

say "Terraform CLI config with dev_overrides -> $BIN_DIR (no terraform init, no registry)"
dev_overrides_config "$tmp/terraform.rc" "$BIN_DIR"
cat "$tmp/terraform.rc"

mkdir -p "$tmp/work"
cp "$ROOT"/examples/demo/*.tf "$tmp/work/"

export TF_CLI_CONFIG_FILE=$tmp/terraform.rc
export TF_IN_AUTOMATION=1 TF_INPUT=0
export TF_VAR_endpoint=$endpoint TF_VAR_protocol=$protocol TF_VAR_region=$REGION
export TF_VAR_access_key=$ACCESS_KEY TF_VAR_secret_key=$SECRET_KEY TF_VAR_api_product_id=$PRODUCT TF_VAR_attachments_product_id=$PRODUCT2
# democheck reads the same credentials.
export ALICLOUD_ACCESS_KEY=$ACCESS_KEY ALICLOUD_SECRET_KEY=$SECRET_KEY

# Colours only on a terminal; logs (CI, `make demo > log`) stay readable.
color=()
[[ -t 1 ]] || color=(-no-color)
tf() { terraform -chdir="$tmp/work" "$@"; }

say "Building the checker (scripts/democheck)"
go build -o "$tmp/democheck" "$ROOT/scripts/democheck"
democheck() { "$tmp/democheck" -endpoint "$endpoint" -protocol "$protocol" -region "$REGION" "$@"; }

say "Creating an app to authorize (CreateApp; the provider manages products, not apps)"
app_id=$(democheck -create-app demo_mobile_app)
echo "app demo_mobile_app has id $app_id"
export TF_VAR_app_id=$app_id

say "terraform apply"
tf apply "${color[@]}" -auto-approve -input=false

say "terraform output"
tf output "${color[@]}"

pairs=$(( $(tf output -json product_apis | tr -cd ',' | wc -c) + 1 ))
attachments=$(tf state list | grep -c '^apigateway_api_product_attachment\.' || true)
total=$(tf output -raw product_total_count)
total2=$(tf output -raw attachments_product_total_count)
[[ $total -gt 0 ]] || die "the first product has no APIs"
[[ $total == "$pairs" ]] || die "the data source counts $total APIs, but lists $pairs"
[[ $attachments -gt 0 ]] || die "no attachment was created"
[[ $total2 == "$attachments" ]] || die "the data source counts $total2 APIs in the second product, but $attachments attachments were applied"
tf output -json authorized_apps | grep -q "($app_id)" || die "the app is not listed as authorized on $PRODUCT"
tf output -json app_products | grep -q "$PRODUCT" || die "the app's products do not include $PRODUCT"

say "The emulator's view of product $PRODUCT (managed whole) after apply"
democheck -product "$PRODUCT" -want "$total" -want-apps 1
say "The emulator's view of product $PRODUCT2 (attachments) after apply"
democheck -product "$PRODUCT2" -want "$attachments"

say "terraform plan (must find no changes)"
set +e
tf plan "${color[@]}" -detailed-exitcode -input=false
plan_rc=$?
set -e
[[ $plan_rc -eq 0 ]] || die "plan after apply was not empty (exit code $plan_rc)"

say "terraform destroy"
tf destroy "${color[@]}" -auto-approve -input=false

say "The emulator's view of both products after destroy"
democheck -product "$PRODUCT" -want 0 -want-apps 0
democheck -product "$PRODUCT2" -want 0

say "Stopping the emulator"
kill -TERM "$emu_pid"
emu_rc=0
wait "$emu_pid" || emu_rc=$?
emu_pid=""
[[ $emu_rc -eq 0 ]] || die "the emulator exited with code $emu_rc on SIGTERM"
requests=$(wc -l <"$tmp/emulator.log")
echo "emulator stopped cleanly after $requests log lines"

over=""
[[ $scheme == https ]] && over=" (over HTTPS, the emulator's CA trusted through SSL_CERT_FILE)"
say "demo: OK: product $PRODUCT managed whole ($total pairs over RELEASE and PRE) with app $app_id authorized on it, product $PRODUCT2 from $attachments attachments, read back by the data sources, all destroyed; the emulator's products are empty again$over"
