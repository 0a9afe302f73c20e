# Move a product from apigateway_api_product_attachment resources to one apigateway_api_product,
# in one apply that sends no call to the service (Terraform 1.7+ / OpenTofu 1.7+: removed blocks).
# Before: resource "apigateway_api_product_attachment" "partner" with for_each = var.api_ids.
terraform {
  required_providers {
    apigateway = {
      source = "cloudapi/apigateway"
    }
  }
}

variable "api_ids" {
  description = "The APIs the attachments attached, in stage PRE."
  type        = set(string)
  default     = ["551877242a4b4f3a84a56b7c3570e4a7", "ba84c55eca46488598da17c0609f3ead"]
}

# Forget the attachments without detaching anything.
removed {
  from = apigateway_api_product_attachment.partner

  lifecycle {
    destroy = false
  }
}

# Take the product over as a whole: the same pairs, now owned by one resource.
import {
  to = apigateway_api_product.partner
  id = "partner_product"
}

resource "apigateway_api_product" "partner" {
  api_product_id = "partner_product"
  apis           = [for id in var.api_ids : { api_id = id, stage_name = "PRE" }]
}
