import {
  to = apigateway_api_product.example
  id = "117b7a64a8b3f064eaa4a47ac62aac5e"
}
