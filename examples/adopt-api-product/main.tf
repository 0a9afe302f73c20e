# Adopt an API product that already exists (made in the console or by scripts): every
# (API, stage) pair it has becomes an apigateway_api_product_attachment, imported rather than
# created. Terraform 1.7+ / OpenTofu 1.7+ (import blocks with for_each).
#
#   terraform plan -var api_product_id=117b7a64a8b3f064eaa4a47ac62aac5e   # "N to import, 0 to add"
#   terraform apply -var api_product_id=117b7a64a8b3f064eaa4a47ac62aac5e
#
# After the apply the attachments are managed: detaching one by hand shows up as drift, and
# removing this configuration (or terraform destroy) detaches them. To stop importing, delete the
# import block; to pin the set, replace local.attachments by a literal map.
terraform {
  required_providers {
    apigateway = {
      source = "cloudapi/apigateway"
    }
  }
}

provider "apigateway" {
  region = "cn-hangzhou" # credentials from ALICLOUD_ACCESS_KEY / ALICLOUD_SECRET_KEY
}

variable "api_product_id" {
  description = "ID of the existing API product to adopt."
  type        = string
}

# Read during plan, so the import blocks below know every pair before anything is imported.
data "apigateway_api_product" "existing" {
  api_product_id = var.api_product_id
}

locals {
  # "<api_id>/<stage_name>" => the API as the data source lists it.
  attachments = {
    for api in data.apigateway_api_product.existing.apis : "${api.api_id}/${api.stage_name}" => api
  }
}

import {
  for_each = local.attachments
  to       = apigateway_api_product_attachment.adopted[each.key]
  id       = "${var.api_product_id}:${each.value.api_id}:${each.value.stage_name}"
}

resource "apigateway_api_product_attachment" "adopted" {
  for_each = local.attachments

  api_product_id = var.api_product_id
  api_id         = each.value.api_id
  stage_name     = each.value.stage_name
}

output "adopted" {
  description = "The adopted attachments, by <api_id>/<stage_name>."
  value       = { for k, a in apigateway_api_product_attachment.adopted : k => "${a.stage_name} ${a.method} ${a.path} (${a.api_name})" }
}
