# The import ID is <api_product_id>:<api_id>:<stage_name>.
terraform import apigateway_api_product_attachment.example 117b7a64a8b3f064eaa4a47ac62aac5e:551877242a4b4f3a84a56b7c3570e4a7:RELEASE
