#!/usr/bin/env bash
# Builds the pinned OpenTofu CLI from the Go module proxy and prints the path of the binary.
#
# OpenTofu is a Go module, but `go install github.com/opentofu/opentofu/cmd/tofu@vX` refuses it
# (its go.mod has replace directives), so the module is downloaded into the module cache and
# ./cmd/tofu is built inside it. The module cache is read-only, so the binary goes to a cache dir
# outside the repo (default: next to GOCACHE, so that a CI cache of the Go build cache keeps it):
#   $(go env GOCACHE)/../opentofu-$OPENTOFU_VERSION/tofu
# A binary built earlier with the same version, Go version and CGO_ENABLED is reused, so a warm run
# takes well under a second; a cold build takes ~8-9 minutes on 2 cores. The build runs under
# `nice` (OPENTOFU_NICE, default 19) so it does not starve whatever else shares the machine.
# CGO_ENABLED is pinned to 0: changing it would invalidate the whole build cache.
#
# The directory also gets an empty CLI configuration file, empty.tfrc, for callers to point
# TF_CLI_CONFIG_FILE at (see below).
#
# Environment: OPENTOFU_VERSION (default v1.12.6), OPENTOFU_DIR (output dir), OPENTOFU_NICE.
#
# Exit status: 0 built or reused (the path is the only line on stdout); 3 the module proxy could not
# be reached (a caller may treat that as "OpenTofu unavailable here"); 1 any other failure (a
# missing version, a compile error, a broken binary), which a caller should not ignore.
set -euo pipefail

version=${OPENTOFU_VERSION:-v1.12.6}
module=github.com/opentofu/opentofu
nice_level=${OPENTOFU_NICE:-19}
export CGO_ENABLED=0
export GOFLAGS=-buildvcs=false

dir=${OPENTOFU_DIR:-$(go env GOCACHE)/../opentofu-$version}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
bin=$dir/tofu
stamp_file=$dir/.build-stamp
# dev=no is what OpenTofu's release builds set: the binary reports 1.12.6, not 1.12.6-dev.
ldflags="-X github.com/opentofu/opentofu/version.dev=no"
want_stamp="$module@$version $(go env GOVERSION) CGO_ENABLED=$CGO_ENABLED ldflags=$ldflags"
# A CLI config file that exists: without one tofu prints a warning on every call, even
# `tofu version`, which breaks version parsing (terraform-plugin-testing's too).
empty_rc=$dir/empty.tfrc
[[ -f $empty_rc ]] || : >"$empty_rc"
export TF_CLI_CONFIG_FILE=$empty_rc

log() { echo "build-opentofu: $*" >&2; }

if [[ -x $bin && -f $stamp_file && "$(cat "$stamp_file")" == "$want_stamp" ]] && "$bin" version >/dev/null 2>&1; then
	log "reusing $bin ($want_stamp)"
	echo "$bin"
	exit 0
fi

# Tells "cannot reach the proxy" (exit 3) from every other download failure (exit 1).
network_error_re='GOPROXY=off|dial tcp|no such host|i/o timeout|connection refused|connection reset|network is unreachable|TLS handshake timeout|proxyconnect|server misbehaving|temporary failure in name resolution'
classify_download_failure() {
	local what=$1 out=$2
	if grep -qiE "$network_error_re" <<<"$out"; then
		log "the Go module proxy could not be reached while downloading $what:"
		grep -iE "$network_error_re" <<<"$out" | head -3 >&2
		exit 3
	fi
	log "downloading $what failed:"
	echo "$out" | head -20 >&2
	exit 1
}

start=$(date +%s)
log "downloading $module@$version from $(go env GOPROXY)"
if ! out=$(go mod download -json "$module@$version" 2>&1); then
	classify_download_failure "$module@$version" "$out"
fi
src=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$out" | head -1)
if [[ -z $src || ! -d $src/cmd/tofu ]]; then
	log "go mod download did not report a module dir with cmd/tofu:"
	echo "$out" | head -20 >&2
	exit 1
fi

# The dependencies are fetched first, separately, so that a proxy outage is told from a compile error.
cd "$src"
if ! out=$(go mod download 2>&1); then
	classify_download_failure "the dependencies of $module@$version" "$out"
fi

log "building ./cmd/tofu in $src (nice $nice_level, CGO_ENABLED=$CGO_ENABLED) into $bin"
tmp=$bin.tmp.$$
trap 'rm -f "$tmp"' EXIT
nice -n "$nice_level" go build -trimpath -ldflags "$ldflags" -o "$tmp" ./cmd/tofu
if ! "$tmp" version >/dev/null 2>&1; then
	log "the built binary does not run: $tmp version"
	"$tmp" version >&2 || true
	exit 1
fi
mv -f "$tmp" "$bin"
printf '%s\n' "$want_stamp" >"$stamp_file"
log "built $("$bin" version | sed -n 1p) in $(( $(date +%s) - start ))s"
echo "$bin"
