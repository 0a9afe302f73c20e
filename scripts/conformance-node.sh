#!/usr/bin/env bash
# Runs the Node.js SDK conformance check (conformance/node) against a freshly built emulator:
# Alibaba's official @alicloud/cloudapi20160714 (V3 signatures) and @alicloud/pop-core (V1
# signatures) must be accepted unchanged (issue 2).
#
# Needs go, node (>= 20, for node:test) and npm; the npm packages come from the npm registry the
# first time and whenever package-lock.json changes. Without node or npm it says so and exits 1, so
# the caller decides whether a missing Node.js is a skip or a failure.
#
# Environment: KEEP_EMULATOR_LOG=1 prints the emulator's request log even when the check passes.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=$root/conformance/node

for tool in node npm; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "conformance-node: $tool not found; install Node.js >= 20 with npm to run this check" >&2
		exit 1
	fi
done
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
	echo "conformance-node: node $(node --version) is too old; the check needs Node.js >= 20" >&2
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/conformance-node.XXXXXX")
emu_pid=
cleanup() {
	local rc=$?
	if [ -n "$emu_pid" ] && kill -0 "$emu_pid" 2>/dev/null; then
		kill -TERM "$emu_pid" 2>/dev/null || true
		wait "$emu_pid" 2>/dev/null || true
	fi
	if [ -f "$work/emulator.log" ] && { [ "$rc" -ne 0 ] || [ -n "${KEEP_EMULATOR_LOG:-}" ]; }; then
		echo "--- emulator request log (last 60 lines) ---" >&2
		tail -n 60 "$work/emulator.log" >&2
	fi
	rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# npm ci wipes and reinstalls node_modules, so it only runs when the installed tree does not
# match package-lock.json (and this Node.js) byte for byte. --ignore-scripts: the one install
# script in the tree (@alicloud/openapi-core's postinstall) only installs TypeScript on Node 10/12,
# and a conformance run should not execute registry code at install time.
stamp_file=$dir/node_modules/.conformance-lock-stamp
want_stamp="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1) node-$(node --version)"
if [ ! -f "$stamp_file" ] || [ "$(cat "$stamp_file")" != "$want_stamp" ]; then
	echo "conformance-node: installing the pinned SDKs (npm ci)"
	# Exit 3 tells a caller that only the install failed (registry unreachable), not the check.
	(cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) || {
		echo "conformance-node: npm ci failed; the pinned SDKs could not be installed" >&2
		exit 3
	}
	printf '%s\n' "$want_stamp" >"$stamp_file"
fi

echo "conformance-node: building the emulator"
(cd "$root" && go build -o "$work/apigateway-emulator" ./cmd/apigateway-emulator)

# A fresh random secret per run: the check then also proves the emulator uses the configured
# secret, not a built-in default.
key_id=LTAI5tNodeConformance
key_secret=$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')

# Each pass runs the SDKs against a fresh emulator: over HTTP, then over HTTPS with the emulator's
# private CA trusted the way Node.js trusts one, NODE_EXTRA_CA_CERTS.
for scheme in http https; do
	tls_args=()
	if [ "$scheme" = https ]; then
		tls_args=(--tls --ca-file "$work/ca.pem")
	fi
	"$work/apigateway-emulator" --listen 127.0.0.1:0 "${tls_args[@]}" \
		--access-key-id "$key_id" --access-key-secret "$key_secret" \
		>"$work/emulator.out" 2>>"$work/emulator.log" &
	emu_pid=$!

	first=
	for _ in $(seq 1 100); do
		# Only a whole line counts: a partial write has no newline yet.
		if [ "$(head -n1 "$work/emulator.out" | wc -l)" -eq 1 ]; then
			IFS= read -r first <"$work/emulator.out"
			break
		fi
		if ! kill -0 "$emu_pid" 2>/dev/null; then
			echo "conformance-node: the emulator exited before it listened" >&2
			exit 1
		fi
		sleep 0.1
	done
	if [[ ! $first =~ ^listening\ on\ $scheme://([^/[:space:]]+)$ ]]; then
		echo "conformance-node: unexpected first emulator line: ${first:-<none within 10s>}" >&2
		exit 1
	fi
	endpoint=${BASH_REMATCH[1]}
	echo "conformance-node: emulator on $scheme://$endpoint"
	if [ "$scheme" = https ]; then
		for _ in $(seq 1 50); do [ -s "$work/ca.pem" ] && break; sleep 0.1; done
	fi

	(cd "$dir" && APIGATEWAY_EMULATOR_ENDPOINT=$endpoint \
		APIGATEWAY_EMULATOR_PROTOCOL=${scheme^^} \
		APIGATEWAY_EMULATOR_ACCESS_KEY_ID=$key_id \
		APIGATEWAY_EMULATOR_ACCESS_KEY_SECRET=$key_secret \
		NODE_EXTRA_CA_CERTS=$([ "$scheme" = https ] && echo "$work/ca.pem") \
		node --test)

	kill -TERM "$emu_pid"
	wait "$emu_pid"
	emu_pid=
done
