# A large product as one resource: every API of a list in the RELEASE stage. 1,000 pairs are one
# Terraform resource, attached in calls of 100 and refreshed with one listing of 100 pairs per page.
#
#   terraform apply -parallelism=10   # the default; the product itself is one resource either way
terraform {
  required_providers {
    apigateway = {
      source = "cloudapi/apigateway"
    }
  }
}

variable "api_ids" {
  description = "IDs of the APIs to publish, for example from a file of the API team."
  type        = set(string)
  default     = ["551877242a4b4f3a84a56b7c3570e4a7", "ba84c55eca46488598da17c0609f3ead"]
}

resource "apigateway_api_product" "catalog" {
  api_product_id = "public_catalog"
  apis           = [for id in sort(tolist(var.api_ids)) : { api_id = id, stage_name = "RELEASE" }]

  # Every call, retries under throttling included, must end within these. Raise them for products
  # of many thousands of pairs on a busy account.
  timeouts {
    create = "20m"
    update = "20m"
    read   = "10m"
    delete = "20m"
  }
}
