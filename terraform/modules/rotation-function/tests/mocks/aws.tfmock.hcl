# The mock AWS provider of every module's offline tests (`mock_provider "aws" { source = … }`):
# realistic values where the provider checks the format (ARNs, JSON) even under a mock.

mock_data "aws_caller_identity" {
  defaults = { account_id = "123456789012", arn = "arn:aws:iam::123456789012:root", user_id = "123456789012" }
}

mock_data "aws_partition" {
  defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
}

mock_data "aws_region" {
  defaults = { name = "us-east-1" }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/rotator" }
}

mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::123456789012:role/rotator-rotation" }
}

mock_resource "aws_lambda_function" {
  defaults = { arn = "arn:aws:lambda:us-east-1:123456789012:function:rotator" }
}

mock_resource "aws_cloudwatch_metric_alarm" {
  defaults = { arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:rotator-errors" }
}

mock_resource "aws_cloudwatch_event_rule" {
  defaults = { arn = "arn:aws:events:us-east-1:123456789012:rule/rotator-rotation-failed" }
}

mock_resource "aws_config_config_rule" {
  defaults = { arn = "arn:aws:config:us-east-1:123456789012:config-rule/config-rule-abcdef" }
}
