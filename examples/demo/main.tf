# The configuration `make demo` applies against a local apigateway-emulator started with
# examples/emulator/demo-seed.json. The whole API-product workflow:
#   - a product managed whole by apigateway_api_product: every seeded API in RELEASE and PRE;
#   - an app (created by the demo script) authorized on it, until a date, with a description;
#   - a second product built from apigateway_api_product_attachment resources (RELEASE only);
#   - both read back through the data sources, then all of it destroyed.

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
  description = "The API product managed whole; its first attach creates it."
  type        = string
  default     = "demo0000000000000000000000000001"
}

variable "attachments_product_id" {
  description = "The API product built from attachments."
  type        = string
  default     = "demo0000000000000000000000000002"
}

variable "app_id" {
  description = "The app to authorize on the first product (the demo script creates it)."
  type        = string
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

# The first product, whole: exactly these pairs.
resource "apigateway_api_product" "demo" {
  api_product_id = var.api_product_id
  apis           = [for pair in setproduct(var.api_ids, var.stages) : { api_id = pair[0], stage_name = pair[1] }]
}

# The app may call every API of the first product until the end of 2030 (UTC).
resource "apigateway_api_product_authorization" "demo" {
  api_product_id  = apigateway_api_product.demo.api_product_id
  app_id          = var.app_id
  auth_valid_time = "2030-12-31T16:00:00Z"
  description     = "authorized by make demo"
}

# The second product, one attachment per API (a product is managed one way only).
resource "apigateway_api_product_attachment" "demo" {
  for_each = toset(var.api_ids)

  api_product_id = var.attachments_product_id
  api_id         = each.key
  stage_name     = "RELEASE"
}

data "apigateway_api_product" "demo" {
  api_product_id = apigateway_api_product.demo.api_product_id

  # Read after the grant, so that the app is listed.
  depends_on = [apigateway_api_product_authorization.demo]
}

data "apigateway_api_product" "attachments" {
  api_product_id = var.attachments_product_id

  # The product exists only once something is attached to it.
  depends_on = [apigateway_api_product_attachment.demo]
}

data "apigateway_app_api_products" "demo" {
  app_id     = var.app_id
  depends_on = [apigateway_api_product_authorization.demo]
}

output "attachments" {
  description = "id => \"STAGE METHOD PATH (name)\" of every attachment of the second product."
  value = {
    for k, a in apigateway_api_product_attachment.demo :
    a.id => "${a.stage_name} ${a.method} ${a.path} (${a.api_name})"
  }
}

output "product_total_count" {
  value = data.apigateway_api_product.demo.total_count
}

output "attachments_product_total_count" {
  value = data.apigateway_api_product.attachments.total_count
}

output "product_apis" {
  value = [for api in data.apigateway_api_product.demo.apis : "${api.stage_name} ${api.api_id} ${api.group_name}/${api.api_name}"]
}

output "authorized_apps" {
  description = "The apps authorized on the first product: name (id) until when."
  value       = [for app in data.apigateway_api_product.demo.authorized_apps : "${app.app_name} (${app.app_id}) until ${coalesce(app.auth_valid_time, "forever")}"]
}

output "app_products" {
  description = "The products the demo app may call."
  value       = data.apigateway_app_api_products.demo.api_product_ids
}
