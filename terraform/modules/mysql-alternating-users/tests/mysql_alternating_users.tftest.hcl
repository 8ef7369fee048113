# Offline (mock provider): the MySQL settings, the RDS permission and the timeout that must fit.

mock_provider "aws" {
  source = "../rotation-function/tests/mocks"
}

variables {
  name     = "rotator"
  zip_path = "../rotation-function/tests/fixtures/placeholder.zip"
  secrets = {
    app = {
      arn                      = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf"
      master_secret_arn        = "arn:aws:secretsmanager:us-east-1:123456789012:secret:admin-ZzYyXx"
      automatically_after_days = 30
    }
  }
}

run "settings_and_wiring" {
  command = apply

  variables {
    username_character_limit = 80
  }

  assert {
    condition = (
      output.function.environment.USERNAME_CHARACTER_LIMIT == "80" &&
      output.function.environment.CONNECT_TIMEOUT_SECONDS == "5" &&
      output.function.environment.POWERTOOLS_SERVICE_NAME == "mysql-alternating-users"
    )
    error_message = "The MySQL settings reach the function."
  }

  assert {
    condition = (
      output.function.environment.MASTER_SECRET_ARNS ==
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:admin-ZzYyXx"
    )
    error_message = "The master secrets are rotation-function's to read and to list (its tests cover them)."
  }
}

run "username_limit_too_small" {
  command = plan
  variables {
    username_character_limit = 6
  }
  expect_failures = [var.username_character_limit]
}

run "timeout_must_fit_the_connection_attempts" {
  command = plan
  variables {
    timeout = 45
  }
  expect_failures = [var.timeout]
}

run "tls_required_by_default" {
  command = apply

  assert {
    condition = (
      output.function.environment.REQUIRE_TLS == "true" && output.function.environment.RDS_MANAGED_MASTER == "false" &&
      output.function.environment.ADOPT_EXISTING_CLONE == "false"
    )
    error_message = "Verified TLS is the default; RDS-managed masters and adoption are off unless asked for."
  }

  assert {
    condition     = length(output.extra_policy_statements) == 0
    error_message = "No RDS permission unless rds_managed_master is on."
  }
}

run "rds_managed_master_grants_the_describe_calls" {
  command = apply

  variables {
    rds_managed_master   = true
    adopt_existing_clone = true
    database             = { require_tls = false }
  }

  assert {
    condition = (
      output.function.environment.RDS_MANAGED_MASTER == "true" &&
      output.function.environment.ADOPT_EXISTING_CLONE == "true" && output.function.environment.REQUIRE_TLS == "false"
    )
    error_message = "The settings reach the function."
  }

  assert {
    condition = jsonencode(output.extra_policy_statements) == jsonencode([{
      sid       = "FindServersOfRdsManagedMasterSecrets"
      actions   = ["rds:DescribeDBClusters", "rds:DescribeDBInstances"]
      resources = ["*"]
    }])
    error_message = "rds_managed_master asks for exactly the two Describe calls."
  }
}

# The shared module turns those statements into the role's policy (the only new input it has for this).
run "extra_statements_reach_the_role_policy" {
  command = apply

  module {
    source = "../rotation-function"
  }

  variables {
    rotator         = "mysql-alternating-users"
    minimum_timeout = 50
    secrets = {
      app = {
        arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf"
        read_secrets = [
          { arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-1234-ZzYyXx" },
        ]
        automatically_after_days = 30
      }
    }
    extra_policy_statements = [{
      sid       = "FindServersOfRdsManagedMasterSecrets"
      actions   = ["rds:DescribeDBClusters", "rds:DescribeDBInstances"]
      resources = ["*"]
    }]
  }

  assert {
    condition = [
      for s in jsondecode(aws_iam_role_policy.this.policy).Statement :
      s if s.Sid == "FindServersOfRdsManagedMasterSecrets"
      ] == [{
        Sid      = "FindServersOfRdsManagedMasterSecrets"
        Effect   = "Allow"
        Action   = ["rds:DescribeDBClusters", "rds:DescribeDBInstances"]
        Resource = ["*"]
    }]
    error_message = "The statement is in the role's policy as given."
  }
}
