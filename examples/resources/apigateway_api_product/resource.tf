# The whole product in one resource: after an apply it holds exactly these (API, stage) pairs.
# 1,000 pairs are one resource, attached in calls of 100.
locals {
  product_apis = ["551877242a4b4f3a84a56b7c3570e4a7", "ba84c55eca46488598da17c0609f3ead"]
  stages       = ["RELEASE", "PRE"]
}

resource "apigateway_api_product" "example" {
  api_product_id = "117b7a64a8b3f064eaa4a47ac62aac5e" # chosen by you; created by the first attach

  apis = [
    for pair in setproduct(local.product_apis, local.stages) : {
      api_id     = pair[0]
      stage_name = pair[1]
    }
  ]
}

# Apps are authorized on the product separately; referencing the product makes Terraform attach
# the APIs before granting, and revoke before deleting the product.
resource "apigateway_api_product_authorization" "mobile" {
  api_product_id = apigateway_api_product.example.api_product_id
  app_id         = "110982419" # e.g. alicloud_api_gateway_app.mobile.id
}

# A product built in the console, adopted: import it (see Import below) to see in the plan what
# the first apply would change; from then on Terraform owns every pair of it. Created without an
# import, the resource takes the product over too: the apply detaches the pairs not listed here.
resource "apigateway_api_product" "adopted" {
  api_product_id = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
  apis           = [{ api_id = "ba84c55eca46488598da17c0609f3ead", stage_name = "RELEASE" }]
}
