# Two products, each managed one way only. Never manage one product both ways: the
# apigateway_api_product resource detaches every pair it does not list, and each attachment would
# attach its pair again, at every apply (as with aws_security_group inline rules and
# aws_security_group_rule).

variable "api_ids" {
  type    = list(string)
  default = ["551877242a4b4f3a84a56b7c3570e4a7", "ba84c55eca46488598da17c0609f3ead"]
}

# Owned by one team, declared in one place: the whole product, authoritatively.
resource "apigateway_api_product" "payments" {
  api_product_id = "payments_product"
  apis           = [for id in var.api_ids : { api_id = id, stage_name = "RELEASE" }]
}

# Contributed to by several configurations: each adds its own pairs and leaves the others alone.
resource "apigateway_api_product_attachment" "partner" {
  for_each       = toset(var.api_ids)
  api_product_id = "partner_product"
  api_id         = each.key
  stage_name     = "PRE"
}
