# Requires Terraform 1.12+ or OpenTofu 1.12+: the typed identity instead of the id; here for one
# instance of the for_each resource "partners" of the example usage.
import {
  to = apigateway_api_product_authorization.partners["110982420"]
  identity = {
    api_product_id = "117b7a64a8b3f064eaa4a47ac62aac5e"
    app_id         = "110982420"
  }
}
