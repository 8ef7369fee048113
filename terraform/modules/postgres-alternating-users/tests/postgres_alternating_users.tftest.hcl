# Offline (mock provider): the settings this module adds on top of rotation-function, and the
# inputs it refuses.

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

run "safe_defaults" {
  command = apply

  assert {
    condition = (
      output.function.environment.REQUIRE_TLS == "true" &&
      output.function.environment.ADOPT_OWNERSHIP == "false" &&
      output.function.environment.CONNECT_TIMEOUT_SECONDS == "5" &&
      output.function.environment.POWERTOOLS_SERVICE_NAME == "postgres-alternating-users" &&
      !contains(keys(output.function.environment), "ADOPT_DATABASES") &&
      !contains(keys(output.function.environment), "EXCLUDE_CHARACTERS") &&
      !contains(keys(output.function.environment), "TLS_CA_BUNDLE_PATH")
    )
    error_message = "By default: verified TLS required, no adoption, the rotator's own exclude characters (with \":\")."
  }

  assert {
    condition = (
      output.function.environment.MASTER_SECRET_ARNS ==
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:admin-ZzYyXx"
    )
    error_message = "The master secrets are rotation-function's to read and to list (its tests cover them)."
  }
}

run "settings_reach_the_function" {
  command = apply

  variables {
    adopt_ownership = true
    adopt_databases = ["shop", "reports"]
    database        = { tls_ca_bundle_path = "/opt/ca.pem", connect_timeout_seconds = 3 }
  }

  assert {
    condition = (
      output.function.environment.ADOPT_OWNERSHIP == "true" &&
      output.function.environment.ADOPT_DATABASES == "shop,reports" &&
      output.function.environment.TLS_CA_BUNDLE_PATH == "/opt/ca.pem" &&
      output.function.environment.CONNECT_TIMEOUT_SECONDS == "3"
    )
    error_message = "Adoption, CA and timeout settings reach the function."
  }
}

run "adopt_database_with_a_comma" {
  command = plan
  variables {
    adopt_databases = ["shop,reports"]
  }
  expect_failures = [var.adopt_databases]
}

# 15 x 5 + 5 = 80 s is the minimum for the default connect timeout; 79 is refused, the default 120 fits.
run "timeout_one_below_the_minimum" {
  command = plan
  variables {
    timeout = 79
  }
  expect_failures = [var.timeout]
}
