# Variables that must be refused at plan time, before anything is created.

mock_provider "aws" {}

variables {
  name     = "rotator"
  rotator  = "generic-password"
  zip_path = "tests/fixtures/placeholder.zip"
}

run "both_schedule_kinds" {
  command = plan
  variables {
    secrets = {
      s = {
        arn                      = "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf"
        automatically_after_days = 30
        schedule_expression      = "rate(10 days)"
      }
    }
  }
  expect_failures = [var.secrets]
}

run "no_schedule" {
  command = plan
  variables {
    secrets = { s = { arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf" } }
  }
  expect_failures = [var.secrets]
}

run "zero_day_interval" {
  command = plan
  variables {
    secrets = {
      s = {
        arn                      = "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf"
        automatically_after_days = 0
      }
    }
  }
  expect_failures = [var.secrets]
}

run "rate_below_four_hours" {
  command = plan
  variables {
    secrets = {
      s = {
        arn                 = "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf"
        schedule_expression = "rate(1 hour)"
      }
    }
  }
  expect_failures = [var.secrets]
}

run "duration_without_expression" {
  command = plan
  variables {
    secrets = {
      s = {
        arn                      = "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf"
        automatically_after_days = 30
        duration                 = "2h"
      }
    }
  }
  expect_failures = [var.secrets]
}

run "not_a_secret_arn" {
  command = plan
  variables {
    secrets = { s = { arn = "my-secret", automatically_after_days = 30 } }
  }
  expect_failures = [var.secrets]
}

run "unknown_runtime" {
  command = plan
  variables {
    function = { runtime = "nodejs18.x" }
  }
  expect_failures = [var.function]
}

run "timeout_below_minimum" {
  command = plan
  variables {
    minimum_timeout = 40
    timeout         = 30
  }
  expect_failures = [var.timeout]
}

run "password_too_short" {
  command = plan
  variables {
    password_policy = { length = 3 }
  }
  expect_failures = [var.password_policy]
}

run "everything_excluded" {
  command = plan
  variables {
    password_policy = {
      exclude_numbers     = true
      exclude_punctuation = true
      exclude_uppercase   = true
      exclude_lowercase   = true
    }
  }
  expect_failures = [var.password_policy]
}

run "unknown_log_retention" {
  command = plan
  variables {
    function = { log_retention_in_days = 10 }
  }
  expect_failures = [var.function]
}

run "vpc_without_security_groups" {
  command = plan
  variables {
    function = { vpc = { subnet_ids = ["subnet-1"], security_group_ids = [] } }
  }
  expect_failures = [var.function]
}

run "nodejs24_needs_an_untested_provider" {
  command = plan
  variables {
    function = { runtime = "nodejs24.x" }
  }
  expect_failures = [var.function]
}

run "name_too_long_for_the_derived_names" {
  command = plan
  variables {
    # 45 characters: "<name>-rotation-failed-<n>" could reach 65.
    name = "a23456789012345678901234567890123456789012345"
  }
  expect_failures = [var.name]
}

run "secret_arn_without_suffix" {
  command = plan
  variables {
    secrets = { s = { arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:s", automatically_after_days = 30 } }
  }
  expect_failures = [var.secrets]
}

run "read_secret_arn_without_suffix" {
  command = plan
  variables {
    secrets = { s = {
      arn                      = "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf"
      read_secrets             = [{ arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:admin" }]
      automatically_after_days = 30
    } }
  }
  expect_failures = [var.secrets]
}

run "kms_alias_arn_for_a_secret" {
  command = plan
  variables {
    secrets = { s = {
      arn                      = "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf"
      kms_key_arn              = "arn:aws:kms:us-east-1:123456789012:alias/secrets"
      automatically_after_days = 30
    } }
  }
  expect_failures = [var.secrets]
}

run "kms_alias_arn_in_extra_keys" {
  command = plan
  variables {
    function = { extra_kms_key_arns = ["arn:aws:kms:us-east-1:123456789012:alias/secrets"] }
  }
  expect_failures = [var.function]
}
