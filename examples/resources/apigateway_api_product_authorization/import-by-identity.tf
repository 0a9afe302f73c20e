# Requires Terraform 1.12+ or OpenTofu 1.12+.
import {
  to = apigateway_api_product_authorization.example
  identity = {
    api_product_id = "117b7a64a8b3f064eaa4a47ac62aac5e"
    app_id         = "110982419"
  }
}
