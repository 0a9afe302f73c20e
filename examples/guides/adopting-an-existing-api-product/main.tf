# Adopt an existing API product as one apigateway_api_product, with every app authorized on it as
# an apigateway_api_product_authorization (Terraform 1.7+ / OpenTofu 1.7+: import blocks with
# for_each). The product's pairs are written out, as `terraform plan -generate-config-out` writes
# them: apigateway_api_product is authoritative, so the list is what the product will hold.
#
#   terraform plan  -var api_product_id=legacy_product   # "N to import, 0 to add, 0 to change"
#   terraform apply -var api_product_id=legacy_product
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

import {
  to = apigateway_api_product.adopted
  id = var.api_product_id
}

resource "apigateway_api_product" "adopted" {
  api_product_id = var.api_product_id
  apis = [
    { api_id = "a1f3c5e7092b4d6f8a0c2e4f6b8d0a11", stage_name = "RELEASE" },
    { api_id = "a1f3c5e7092b4d6f8a0c2e4f6b8d0a11", stage_name = "PRE" },
    { api_id = "a1f3c5e7092b4d6f8a0c2e4f6b8d0a12", stage_name = "RELEASE" },
  ]
}

# The apps authorized on the product today, read at plan time, so that the import blocks below
# know every one before anything is imported.
data "apigateway_api_product" "existing" {
  api_product_id = var.api_product_id
}

locals {
  # app_id => its authorization as the data source lists it.
  authorized_apps = { for app in data.apigateway_api_product.existing.authorized_apps : app.app_id => app }
}

import {
  for_each = local.authorized_apps
  to       = apigateway_api_product_authorization.adopted[each.key]
  id       = "${var.api_product_id}:${each.key}"
}

resource "apigateway_api_product_authorization" "adopted" {
  for_each = local.authorized_apps

  api_product_id  = apigateway_api_product.adopted.api_product_id
  app_id          = each.key
  auth_valid_time = each.value.auth_valid_time
  description     = each.value.description
}
