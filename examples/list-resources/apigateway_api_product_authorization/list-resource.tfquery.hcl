# Requires Terraform 1.14+. In a file such as grants.tfquery.hcl, next to a configuration that
# configures the provider:
#
#   terraform query                                   # list the authorizations
#   terraform query -generate-config-out=generated.tf # and write resource + import blocks for them

# Every app authorized on one API product, with their terms.
list "apigateway_api_product_authorization" "product" {
  provider         = apigateway
  include_resource = true # full attributes in the results, not only identities

  config {
    api_product_id = "117b7a64a8b3f064eaa4a47ac62aac5e"
  }
}

# Every API product one app is authorized on (identities only), at most 500 (Terraform's default
# limit is 100).
list "apigateway_api_product_authorization" "app" {
  provider = apigateway
  limit    = 500

  config {
    app_id = "110982419"
  }
}
