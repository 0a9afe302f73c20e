# The import ID is the API product id.
terraform import apigateway_api_product.example 117b7a64a8b3f064eaa4a47ac62aac5e
