# Offline (mock provider): what this module adds on top of rotation-function.

mock_provider "aws" {
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
}

variables {
  name     = "rotator"
  zip_path = "../rotation-function/tests/fixtures/placeholder.zip"
  secrets = {
    a = { arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:a-AbCdEf", automatically_after_days = 30 }
    b = { arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:b-GhIjKl", schedule_expression = "cron(0 4 ? * SUN *)", duration = "3h" }
  }
  password_policy = { length = 24, exclude_characters = "%" }
}

run "wires_every_secret_with_the_password_policy" {
  command = apply

  assert {
    condition     = output.rotated_secret_arns == { a = var.secrets.a.arn, b = var.secrets.b.arn }
    error_message = "Both secrets are wired."
  }

  assert {
    condition     = output.environment.POWERTOOLS_SERVICE_NAME == "postgres-alternating-users" && output.environment.PASSWORD_LENGTH == "24" && output.environment.EXCLUDE_CHARACTERS == "%"
    error_message = "The password policy reaches the function."
  }
}

run "timeout_too_short" {
  command = plan
  variables {
    timeout = 5
  }
  expect_failures = [var.timeout]
}
