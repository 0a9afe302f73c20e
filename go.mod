module github.com/cloudapi/terraform-provider-apigateway

go 1.26.8

require (
	github.com/alibabacloud-go/cloudapi-20160714/v5 v5.8.0 // indirect
	github.com/alibabacloud-go/darabonba-openapi/v2 v2.1.14 // indirect
	github.com/aliyun/alibaba-cloud-sdk-go v1.63.107 // indirect
	github.com/aliyun/credentials-go v1.4.14 // indirect
	github.com/hashicorp/terraform-plugin-framework v1.19.0 // indirect
	github.com/hashicorp/terraform-plugin-framework-timeouts v0.7.0 // indirect
	github.com/hashicorp/terraform-plugin-framework-validators v0.19.0 // indirect
	github.com/hashicorp/terraform-plugin-go v0.31.0 // indirect
	github.com/hashicorp/terraform-plugin-log v0.11.0 // indirect
	github.com/hashicorp/terraform-plugin-testing v1.16.0 // indirect
)
