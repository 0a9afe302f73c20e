# The configuration `make demo` applies against a local apigateway-emulator started with
# examples/emulator/demo-seed.json. It attaches every seeded API to one API product in two
# stages, then reads the product back through the data source.

terraform {
  required_providers {
    apigateway = {
      source = "cloudapi/apigateway"
    }
  }
}

variable "endpoint" {
  description = "host:port of the API Gateway endpoint (the emulator prints it on start)."
  type        = string
  default     = "127.0.0.1:8080"
}

variable "protocol" {
  description = "HTTP for the local emulator, HTTPS for Alibaba Cloud."
  type        = string
  default     = "HTTP"
}

variable "region" {
  type    = string
  default = "cn-hangzhou"
}

variable "access_key" {
  description = "Access key id of the seeded demo account."
  type        = string
  default     = "LTAI5tDemoAccessKeyId"
}

variable "secret_key" {
  description = "Access key secret of the seeded demo account (a public demo value, not a real secret)."
  type        = string
  default     = "demo-secret-not-for-production"
  sensitive   = true
}

variable "api_product_id" {
  description = "The API product to attach the APIs to; attaching creates it."
  type        = string
  default     = "demo0000000000000000000000000001"
}

variable "api_ids" {
  description = "The APIs of the seeded group \"demo\" (ids fixed by the seed file)."
  type        = list(string)
  default = [
    "a1f3c5e7092b4d6f8a0c2e4f6b8d0a11", # GET  /users/[id]  get_user
    "a1f3c5e7092b4d6f8a0c2e4f6b8d0a12", # GET  /users       list_users
    "a1f3c5e7092b4d6f8a0c2e4f6b8d0a13", # POST /orders      create_order
    "a1f3c5e7092b4d6f8a0c2e4f6b8d0a14", # GET  /orders/[id] get_order
  ]
}

variable "stages" {
  type    = list(string)
  default = ["RELEASE", "PRE"]
}

provider "apigateway" {
  region     = var.region
  access_key = var.access_key
  secret_key = var.secret_key
  protocol   = var.protocol

  endpoints {
    apigateway = var.endpoint
  }
}

resource "apigateway_api_product_attachment" "demo" {
  for_each = {
    for pair in setproduct(var.api_ids, var.stages) :
    "${pair[1]}/${pair[0]}" => { api_id = pair[0], stage = pair[1] }
  }

  api_product_id = var.api_product_id
  api_id         = each.value.api_id
  stage_name     = each.value.stage
}

data "apigateway_api_product" "demo" {
  api_product_id = var.api_product_id

  # The product exists only once something is attached to it.
  depends_on = [apigateway_api_product_attachment.demo]
}

output "attachments" {
  description = "id => \"STAGE METHOD PATH (name)\" of every attachment."
  value = {
    for k, a in apigateway_api_product_attachment.demo :
    a.id => "${a.stage_name} ${a.method} ${a.path} (${a.api_name})"
  }
}

output "product_total_count" {
  value = data.apigateway_api_product.demo.total_count
}

output "product_apis" {
  value = [for api in data.apigateway_api_product.demo.apis : "${api.stage_name} ${api.api_id} ${api.group_name}/${api.api_name}"]
}
