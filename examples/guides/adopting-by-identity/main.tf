# Requires Terraform 1.12+ or OpenTofu 1.12+: import blocks that give the typed identity instead of
# an id string. Here the attachments of an existing product, one apigateway_api_product_attachment
# per (API, stage) pair, found by the data source at plan time.
terraform {
  required_providers {
    apigateway = {
      source = "cloudapi/apigateway"
    }
  }
}

variable "api_product_id" {
  description = "ID of the existing API product whose attachments to adopt."
  type        = string
}

data "apigateway_api_product" "existing" {
  api_product_id = var.api_product_id
}

locals {
  # "<api_id>/<stage_name>" => the pair as the data source lists it.
  pairs = { for api in data.apigateway_api_product.existing.apis : "${api.api_id}/${api.stage_name}" => api }
}

import {
  for_each = local.pairs
  to       = apigateway_api_product_attachment.adopted[each.key]
  identity = {
    api_product_id = var.api_product_id
    api_id         = each.value.api_id
    stage_name     = each.value.stage_name
  }
}

resource "apigateway_api_product_attachment" "adopted" {
  for_each = local.pairs

  api_product_id = var.api_product_id
  api_id         = each.value.api_id
  stage_name     = each.value.stage_name
}
