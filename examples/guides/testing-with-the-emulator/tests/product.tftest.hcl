# terraform test against a local emulator (Terraform 1.6+; the test commands need no account):
#
#   ./bin/apigateway-emulator --seed examples/emulator/demo-seed.json &   # listens on 127.0.0.1:8080
#   terraform test
#
# The credentials and API ids are those of examples/emulator/demo-seed.json.
provider "apigateway" {
  region     = "cn-hangzhou"
  access_key = "LTAI5tDemoAccessKeyId"
  secret_key = "demo-secret-not-for-production"
  endpoints {
    apigateway = "http://127.0.0.1:8080"
  }
}

variables {
  api_product_id = "tftest_product"
  api_ids        = ["a1f3c5e7092b4d6f8a0c2e4f6b8d0a11", "a1f3c5e7092b4d6f8a0c2e4f6b8d0a12"]
}

run "creates_the_product" {
  assert {
    condition     = length(output.attached) == 4
    error_message = "Expected 2 APIs x 2 stages attached, got ${jsonencode(output.attached)}."
  }
  assert {
    condition     = contains(output.attached, "RELEASE GET /users")
    error_message = "list_users is not attached in RELEASE."
  }
}

run "shrinks_the_product" {
  variables {
    api_ids = ["a1f3c5e7092b4d6f8a0c2e4f6b8d0a12"]
  }
  assert {
    condition     = output.attached == tolist(["PRE GET /users", "RELEASE GET /users"])
    error_message = "Expected only list_users, got ${jsonencode(output.attached)}."
  }
}
