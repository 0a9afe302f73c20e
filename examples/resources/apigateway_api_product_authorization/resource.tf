# Authorize an app on every API of a product, until the end of June 2030 (UTC).
resource "apigateway_api_product_authorization" "example" {
  api_product_id  = "117b7a64a8b3f064eaa4a47ac62aac5e"
  app_id          = "110982419" # e.g. alicloud_api_gateway_app.example.id
  auth_valid_time = "2030-06-30T16:00:00Z"
  description     = "mobile app, first release"
}

# Several apps with the same terms: one SetAppsAuthToApiProduct call for all of them.
resource "apigateway_api_product_authorization" "partners" {
  for_each       = toset(["110982420", "110982421", "110982422"])
  api_product_id = "117b7a64a8b3f064eaa4a47ac62aac5e"
  app_id         = each.key
}

output "authorized_app_name" {
  value = apigateway_api_product_authorization.example.app_name
}
