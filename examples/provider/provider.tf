terraform {
  required_providers {
    apigateway = {
      source = "cloudapi/apigateway"
    }
  }
}

# Credentials usually come from the environment (ALICLOUD_ACCESS_KEY, ALICLOUD_SECRET_KEY,
# ALICLOUD_REGION, ...), exactly as for the alicloud provider.
provider "apigateway" {
  region = "cn-hangzhou"
}

# Against a local apigateway-emulator (see the README): plain HTTP to a loopback endpoint.
provider "apigateway" {
  alias      = "emulator"
  region     = "cn-hangzhou"
  access_key = "LTAI5tDemoAccessKeyId"
  secret_key = "demo-secret-not-for-production"
  protocol   = "HTTP"

  endpoints {
    apigateway = "127.0.0.1:8080"
  }
}
