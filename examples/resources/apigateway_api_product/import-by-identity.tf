# Requires Terraform 1.12+ or OpenTofu 1.12+: the typed identity instead of the id; here for the
# resource "adopted" of the example usage.
import {
  to = apigateway_api_product.adopted
  identity = {
    api_product_id = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
  }
}
