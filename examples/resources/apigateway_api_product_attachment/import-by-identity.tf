# Requires Terraform 1.12+ or OpenTofu 1.12+: typed identity attributes instead of the
# colon-joined id; here for one instance of the for_each resource "all" of the example usage.
import {
  to = apigateway_api_product_attachment.all["551877242a4b4f3a84a56b7c3570e4a7/RELEASE"]
  identity = {
    api_product_id = "117b7a64a8b3f064eaa4a47ac62aac5e"
    api_id         = "551877242a4b4f3a84a56b7c3570e4a7"
    stage_name     = "RELEASE"
  }
}
