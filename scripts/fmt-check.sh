#!/usr/bin/env bash
# `make fmt-check`: fails if `gofmt -s` would change a Go file, or `terraform fmt` an example.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
mapfile -t files < <(git ls-files -co --exclude-standard -- '*.go')
out=$(gofmt -s -l "${files[@]}")
if [[ -n $out ]]; then
	echo "gofmt needed:"
	echo "$out"
	exit 1
fi
terraform fmt -recursive -check -diff examples
