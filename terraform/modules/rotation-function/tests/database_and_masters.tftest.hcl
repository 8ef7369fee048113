# Offline (mock provider): what rotation-function does for the rotators that log in to a database,
# written once for all of them: `database` (core's connection settings) and the master secrets of
# the alternating-users rotators (readable, listed in MASTER_SECRET_ARNS, required or refused).

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name     = "rotator"
  rotator  = "mysql-alternating-users"
  zip_path = "tests/fixtures/placeholder.zip"
  database = {}
  secrets = {
    app = { arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf", automatically_after_days = 30 }
  }
}

run "database_defaults" {
  command = apply

  assert {
    condition = (
      output.function_arn != null && output.environment.CONNECT_TIMEOUT_SECONDS == "5" &&
      output.environment.REQUIRE_TLS == "true" && !contains(keys(output.environment), "TLS_CA_BUNDLE_PATH")
    )
    error_message = "An empty database object: a 5 s connect timeout, verified TLS required, the bundled CAs."
  }

  assert {
    condition = (
      output.database.connect_timeout_seconds == 5 && output.database.require_tls &&
      output.database.tls_ca_bundle_path == null
    )
    error_message = join(" ", [
      "The output gives the settings with the defaults filled in (the rotator modules size their",
      "timeout from it).",
    ])
  }
}

run "no_database" {
  command = apply

  variables {
    rotator  = "generic-password"
    database = null
  }

  assert {
    condition = length(setintersection(
      keys(output.environment),
      ["CONNECT_TIMEOUT_SECONDS", "REQUIRE_TLS", "TLS_CA_BUNDLE_PATH", "MASTER_SECRET_ARNS"],
    )) == 0 && output.database == null
    error_message = "A rotator without a database gets none of its variables."
  }
}

run "database_settings_reach_the_function" {
  command = apply

  variables {
    database = { connect_timeout_seconds = 3, require_tls = false, tls_ca_bundle_path = "/opt/ca.pem" }
  }

  assert {
    condition = (
      output.environment.CONNECT_TIMEOUT_SECONDS == "3" && output.environment.REQUIRE_TLS == "false" &&
      output.environment.TLS_CA_BUNDLE_PATH == "/opt/ca.pem"
    )
    error_message = "Each setting becomes its environment variable."
  }
}

run "connect_timeout_out_of_range" {
  command = plan
  variables {
    database = { connect_timeout_seconds = 61 }
  }
  expect_failures = [var.database]
}

run "connect_timeout_not_whole" {
  command = plan
  variables {
    database = { connect_timeout_seconds = 2.5 }
  }
  expect_failures = [var.database]
}

run "relative_ca_path" {
  command = plan
  variables {
    database = { tls_ca_bundle_path = "ca.pem" }
  }
  expect_failures = [var.database]
}

run "master_secrets_readable_and_listed" {
  command = apply

  variables {
    uses_master_secrets = true
    secrets = {
      app = {
        arn                      = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf"
        master_secret_arn        = "arn:aws:secretsmanager:us-east-1:123456789012:secret:admin-ZzYyXx"
        automatically_after_days = 30
      }
      reports = {
        arn                      = "arn:aws:secretsmanager:us-east-1:123456789012:secret:reports-GhIjKl"
        master_secret_arn        = "arn:aws:secretsmanager:us-east-1:123456789012:secret:admin-ZzYyXx"
        automatically_after_days = 7
      }
      billing = {
        arn                       = "arn:aws:secretsmanager:us-east-1:123456789012:secret:billing-MnOpQr"
        master_secret_arn         = "arn:aws:secretsmanager:us-east-1:123456789012:secret:billing-admin-StUvWx"
        master_secret_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
        automatically_after_days  = 30
      }
    }
  }

  assert {
    condition = output.environment.MASTER_SECRET_ARNS == join(",", [
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:admin-ZzYyXx",
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:billing-admin-StUvWx",
    ])
    error_message = "The function is told the masters it may use (each once, sorted), so a secret cannot name another."
  }

  assert {
    condition = one([
      for st in jsondecode(aws_iam_role_policy.this.policy).Statement : st if st.Sid == "ReadOtherSecrets"
      ]) == {
      Sid    = "ReadOtherSecrets"
      Effect = "Allow"
      Action = "secretsmanager:GetSecretValue"
      Resource = [
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:admin-ZzYyXx",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:billing-admin-StUvWx",
      ]
    }
    error_message = "The masters are readable, GetSecretValue only, each once."
  }

  assert {
    condition = contains(one([
      for st in jsondecode(aws_iam_role_policy.this.policy).Statement :
      st if st.Sid == "DecryptSecretsViaSecretsManager"
    ]).Resource, "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555")
    error_message = "A master's customer managed key can decrypt it, through Secrets Manager."
  }

  assert {
    condition     = length(output.rotated_secret_arns) == 3
    error_message = "The three secrets are wired (the masters are only read)."
  }
}

run "master_secret_required" {
  command = plan
  variables {
    uses_master_secrets = true
  }
  expect_failures = [var.secrets]
}

run "master_is_the_secret_itself" {
  command = plan
  variables {
    uses_master_secrets = true
    secrets = {
      app = {
        arn                      = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf"
        master_secret_arn        = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf"
        automatically_after_days = 30
      }
    }
  }
  expect_failures = [var.secrets]
}

run "master_secret_arn_without_suffix" {
  command = plan
  variables {
    uses_master_secrets = true
    secrets = {
      app = {
        arn                      = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf"
        master_secret_arn        = "arn:aws:secretsmanager:us-east-1:123456789012:secret:admin"
        automatically_after_days = 30
      }
    }
  }
  expect_failures = [var.secrets]
}

run "master_secret_refused_where_no_master_is_used" {
  command = plan
  variables {
    secrets = {
      app = {
        arn                      = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf"
        master_secret_arn        = "arn:aws:secretsmanager:us-east-1:123456789012:secret:admin-ZzYyXx"
        automatically_after_days = 30
      }
    }
  }
  expect_failures = [var.secrets]
}
