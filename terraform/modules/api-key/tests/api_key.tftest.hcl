# Offline (mock provider): the key API settings as environment, and what is refused.

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
    stripe = { arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe-AbCdEf", automatically_after_days = 90 }
  }
}

run "settings_reach_the_function" {
  command = apply

  variables {
    provider_name      = "sendgrid"
    revoke_initial_key = true
    ca_bundle_path     = "/opt/ca.pem"
    http               = { test_path = "/v1/me", auth_header = "X-Api-Key", auth_scheme = "none" }
  }

  assert {
    condition = tomap(output.environment) == tomap({
      API_PROVIDER                = "sendgrid"
      API_REQUEST_TIMEOUT_SECONDS = "5"
      API_STEP_TIMEOUT_SECONDS    = "20"
      API_MAX_RETRIES             = "3"
      API_RETRY_BASE_DELAY_MS     = "250"
      API_REVOKE_INITIAL_KEY      = "true"
      API_CA_BUNDLE_PATH          = "/opt/ca.pem"
      API_TEST_PATH               = "/v1/me"
      API_AUTH_HEADER             = "X-Api-Key"
      API_AUTH_SCHEME             = "none"
      POWERTOOLS_SERVICE_NAME     = "api-key"
      POWERTOOLS_LOG_LEVEL        = "INFO"
    })
    error_message = "Exactly the key API settings, no password policy."
  }
}

run "unknown_provider" {
  command = plan
  variables {
    provider_name = "stripe"
  }
  expect_failures = [var.provider_name]
}

run "bad_http_method" {
  command = plan
  variables {
    http = { create_method = "PATCH" }
  }
  expect_failures = [var.http]
}

run "timeout_below_step_budget" {
  command = plan
  variables {
    step_timeout_seconds = 40
  }
  expect_failures = [var.timeout]
}
