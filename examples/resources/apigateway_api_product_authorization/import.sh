# The import ID is <api_product_id>:<app_id>.
terraform import apigateway_api_product_authorization.example 117b7a64a8b3f064eaa4a47ac62aac5e:110982419
