# Shell helpers shared by the scripts (source it: . "$ROOT/scripts/lib.sh").

# dev_overrides_config FILE DIR [HOST...]: writes to FILE a Terraform CLI configuration whose
# dev_overrides point the provider's address on each HOST (default registry.terraform.io) at DIR,
# the directory holding terraform-provider-apigateway: no `terraform init`, no registry. The Go
# twin, for tests and tools, is internal/devoverrides.
dev_overrides_config() {
	local file=$1 dir=$2 host
	shift 2
	(($# > 0)) || set -- registry.terraform.io
	{
		printf 'provider_installation {\n  dev_overrides {\n'
		for host; do
			printf '    "%s/cloudapi/apigateway" = "%s"\n' "$host" "$dir"
		done
		printf '  }\n  direct {}\n}\n'
	} >"$file"
}
