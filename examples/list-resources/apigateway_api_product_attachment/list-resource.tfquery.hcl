# Requires Terraform 1.14+. In a file such as product.tfquery.hcl, next to a configuration that
# configures the provider:
#
#   terraform query                                   # list the product's attachments
#   terraform query -generate-config-out=generated.tf # and write resource + import blocks for them
list "apigateway_api_product_attachment" "product" {
  provider         = apigateway
  include_resource = true # full attributes in the results, not only identities

  config {
    api_product_id = "117b7a64a8b3f064eaa4a47ac62aac5e"
  }
}

# Only the RELEASE stage, at most 500 results (Terraform's default limit is 100).
list "apigateway_api_product_attachment" "release" {
  provider = apigateway
  limit    = 500

  config {
    api_product_id = "117b7a64a8b3f064eaa4a47ac62aac5e"
    stage_name     = "RELEASE"
  }
}
