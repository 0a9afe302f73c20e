# Attach one API, in the RELEASE stage, to an API product. The product is created by its
# first attachment.
resource "apigateway_api_product_attachment" "example" {
  api_product_id = "117b7a64a8b3f064eaa4a47ac62aac5e"
  api_id         = "551877242a4b4f3a84a56b7c3570e4a7"
  stage_name     = "RELEASE"
}

# Several APIs over two stages: one resource per (API, stage) pair.
locals {
  product_apis = ["551877242a4b4f3a84a56b7c3570e4a7", "ba84c55eca46488598da17c0609f3ead"]
  stages       = ["RELEASE", "PRE"]
}

resource "apigateway_api_product_attachment" "all" {
  for_each = {
    for pair in setproduct(local.product_apis, local.stages) :
    "${pair[0]}/${pair[1]}" => { api_id = pair[0], stage = pair[1] }
  }

  api_product_id = "117b7a64a8b3f064eaa4a47ac62aac5e"
  api_id         = each.value.api_id
  stage_name     = each.value.stage
}

output "attached_api_name" {
  value = apigateway_api_product_attachment.example.api_name
}
