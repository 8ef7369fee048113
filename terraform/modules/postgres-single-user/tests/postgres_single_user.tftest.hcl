# Offline (mock provider): the database settings and the timeout that must fit them.

mock_provider "aws" {
  source = "../rotation-function/tests/mocks"
}

variables {
  name     = "rotator"
  zip_path = "../rotation-function/tests/fixtures/placeholder.zip"
  secrets = {
    app = { arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf", automatically_after_days = 30 }
  }
}

run "database_settings_reach_the_function" {
  command = apply

  variables {
    database = { require_tls = true, tls_ca_bundle_path = "/opt/ca.pem", connect_timeout_seconds = 3 }
  }

  assert {
    condition = (
      output.function.environment.CONNECT_TIMEOUT_SECONDS == "3" && output.function.environment.REQUIRE_TLS == "true" &&
      output.function.environment.TLS_CA_BUNDLE_PATH == "/opt/ca.pem" &&
      output.function.environment.POWERTOOLS_SERVICE_NAME == "postgres-single-user"
    )
    error_message = "TLS and timeout settings reach the function."
  }

  assert {
    condition     = !contains(keys(output.function.environment), "EXCLUDE_CHARACTERS")
    error_message = "Without exclude_characters the rotator's own default (which adds \":\") applies."
  }
}

run "timeout_must_fit_the_connection_attempts" {
  command = plan
  variables {
    database = { connect_timeout_seconds = 10 }
    timeout  = 60
  }
  expect_failures = [var.timeout]
}

# The minimum is 15 x database.connect_timeout_seconds + 5 (three logins, three statements of 3 x connect
# timeout each, and the Secrets Manager calls): 79 s is one short for the default 5 s, 80 (the default) fits.
run "timeout_one_below_the_worst_case" {
  command = plan
  variables {
    database = { connect_timeout_seconds = 5 }
    timeout  = 79
  }
  expect_failures = [var.timeout]
}

run "default_timeout_fits_the_default_connect_timeout" {
  command = plan

  assert {
    condition     = var.timeout == 80 && output.function.database.connect_timeout_seconds == 5
    error_message = "The default timeout (80 s) must fit the default connect timeout (15 x 5 + 5)."
  }
}
