# Offline (mock provider): the key API settings as environment, and what is refused.

mock_provider "aws" {
  source = "../rotation-function/tests/mocks"
}

variables {
  name          = "rotator"
  zip_path      = "../rotation-function/tests/fixtures/placeholder.zip"
  allowed_hosts = ["api.example.com"]
  secrets = {
    stripe = {
      arn                      = "arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe-AbCdEf"
      automatically_after_days = 90
    }
  }
}

run "settings_reach_the_function" {
  command = apply

  variables {
    provider_name      = "sendgrid"
    revoke_initial_key = true
    ca_bundle_path     = "/opt/ca.pem"
    allowed_hosts      = ["sendgrid-proxy.example.com:8443", "*.sendgrid.example.com"]
    secret_settings    = true
    max_pages          = 5
    http = {
      test_path       = "/me"
      auth_header     = "X-Api-Key"
      auth_scheme     = "none"
      next_page       = "cursor:meta.next:cursor"
      page_size_param = "limit"
      page_size       = 50
    }
  }

  assert {
    condition = tomap(output.function.environment) == tomap({
      API_PROVIDER                = "sendgrid"
      API_REQUEST_TIMEOUT_SECONDS = "5"
      API_STEP_TIMEOUT_SECONDS    = "20"
      API_MAX_RETRIES             = "3"
      API_RETRY_BASE_DELAY_MS     = "250"
      API_REVOKE_INITIAL_KEY      = "true"
      API_SECRET_SETTINGS         = "true"
      API_MAX_PAGES               = "5"
      API_ALLOWED_HOSTS           = "sendgrid-proxy.example.com:8443,*.sendgrid.example.com"
      API_CA_BUNDLE_PATH          = "/opt/ca.pem"
      API_TEST_PATH               = "/me"
      API_AUTH_HEADER             = "X-Api-Key"
      API_AUTH_SCHEME             = "none"
      API_NEXT_PAGE               = "cursor:meta.next:cursor"
      API_PAGE_SIZE_PARAM         = "limit"
      API_PAGE_SIZE               = "50"
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

run "safe_defaults" {
  command = apply

  assert {
    condition = (
      output.function.environment["API_ALLOWED_HOSTS"] == "api.example.com" &&
      output.function.environment["API_SECRET_SETTINGS"] == "false" &&
      output.function.environment["API_MAX_PAGES"] == "20"
    )
    error_message = join(" ", [
      "By default the allowed hosts reach the function, a secret's own settings are refused, and",
      "key lists stop at 20 pages.",
    ])
  }
}

run "generic_needs_allowed_hosts" {
  command = plan
  variables {
    allowed_hosts = []
  }
  expect_failures = [var.allowed_hosts]
}

run "sendgrid_keeps_its_own_hosts" {
  command = plan
  variables {
    provider_name = "sendgrid"
    allowed_hosts = []
  }

  assert {
    condition     = !contains(keys(output.function.environment), "API_ALLOWED_HOSTS")
    error_message = "Without allowed_hosts a named adapter keeps its own hosts (no API_ALLOWED_HOSTS)."
  }
}

run "bad_allowed_host" {
  command = plan
  variables {
    allowed_hosts = ["https://api.example.com/v1"]
  }
  expect_failures = [var.allowed_hosts]
}

run "wildcard_too_broad" {
  command = plan
  variables {
    allowed_hosts = ["*.com"]
  }
  expect_failures = [var.allowed_hosts]
}

run "bad_next_page" {
  command = plan
  variables {
    http = { next_page = "cursor:next" }
  }
  expect_failures = [var.http]
}

run "bad_max_pages" {
  command = plan
  variables {
    max_pages = 0
  }
  expect_failures = [var.max_pages]
}
