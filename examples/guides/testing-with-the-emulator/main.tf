# A configuration to test offline: a product of the given APIs in both stages, read back through
# the data source. It names no endpoint and no credentials; tests/product.tftest.hcl points the
# provider at a local apigateway-emulator, production runs use the real service.
terraform {
  required_providers {
    apigateway = {
      source = "cloudapi/apigateway"
    }
  }
}

variable "api_product_id" {
  description = "ID of the API product to manage."
  type        = string
}

variable "api_ids" {
  description = "APIs to publish in the product, in both RELEASE and PRE."
  type        = set(string)
}

resource "apigateway_api_product" "this" {
  api_product_id = var.api_product_id
  apis = [
    for pair in setproduct(var.api_ids, ["RELEASE", "PRE"]) : { api_id = pair[0], stage_name = pair[1] }
  ]
}

data "apigateway_api_product" "this" {
  api_product_id = apigateway_api_product.this.api_product_id
}

output "attached" {
  description = "What the service lists for the product: \"<stage> <method> <path>\" per pair."
  value       = sort([for a in data.apigateway_api_product.this.apis : "${a.stage_name} ${a.method} ${a.path}"])
}
