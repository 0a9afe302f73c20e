data "apigateway_api_product" "example" {
  api_product_id = "117b7a64a8b3f064eaa4a47ac62aac5e"
}

output "product_api_count" {
  value = data.apigateway_api_product.example.total_count
}

output "product_apis" {
  value = [for api in data.apigateway_api_product.example.apis : "${api.stage_name} ${api.method} ${api.path} (${api.api_name})"]
}

output "authorized_apps" {
  value = { for app in data.apigateway_api_product.example.authorized_apps : app.app_id => coalesce(app.auth_valid_time, "never expires") }
}
