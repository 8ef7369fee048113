# Offline (mock provider): what this module adds on top of rotation-function.

mock_provider "aws" {
  source = "../rotation-function/tests/mocks"
}

variables {
  name     = "rotator"
  zip_path = "../rotation-function/tests/fixtures/placeholder.zip"
  secrets = {
    a = { arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:a-AbCdEf", automatically_after_days = 30 }
    b = {
      arn                 = "arn:aws:secretsmanager:us-east-1:123456789012:secret:b-GhIjKl"
      schedule_expression = "cron(0 4 ? * SUN *)"
      duration            = "3h"
    }
  }
  password_policy = { length = 24, exclude_characters = "%" }
}

run "wires_every_secret_with_the_password_policy" {
  command = apply

  assert {
    condition     = output.function.rotated_secret_arns == { a = var.secrets.a.arn, b = var.secrets.b.arn }
    error_message = "Both secrets are wired."
  }

  assert {
    condition = (
      output.function.environment.POWERTOOLS_SERVICE_NAME == "generic-password" &&
      output.function.environment.PASSWORD_LENGTH == "24" && output.function.environment.EXCLUDE_CHARACTERS == "%"
    )
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

# `function` reaches rotation-function whole: its own attributes, and tags and the alarms, which
# rotation-function takes as inputs of their own.
run "function_settings_reach_rotation_function" {
  command = apply

  variables {
    function = {
      secretsmanager_endpoint = "https://vpce-1.secretsmanager.us-east-1.vpce.amazonaws.com"
      log_level               = "DEBUG"
      create_alarms           = false
      overdue_alarm           = { margin_days = 2 }
      tags                    = { team = "platform" }
    }
  }

  assert {
    condition = (
      output.function.environment.SECRETS_MANAGER_ENDPOINT == var.function.secretsmanager_endpoint &&
      output.function.environment.POWERTOOLS_LOG_LEVEL == "DEBUG"
    )
    error_message = "The function's own settings reach it."
  }

  assert {
    condition = (
      output.function.errors_alarm_arn == null && output.function.cleanup_failed_alarm_arn == null &&
      length(output.function.overdue_config_rule_arns) == 2
    )
    error_message = "create_alarms and overdue_alarm reach rotation-function's inputs of those names."
  }
}
