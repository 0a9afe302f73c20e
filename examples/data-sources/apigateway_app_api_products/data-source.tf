data "apigateway_app_api_products" "example" {
  app_id = "110982419"
}

output "products_the_app_may_call" {
  value = data.apigateway_app_api_products.example.api_product_ids
}
