# One PostgreSQL role changes its own password (sent as a SCRAM-SHA-256 verifier). The function
# reaches the database and Secrets Manager: give it `function.vpc` when the database is private.
locals {
  # setSecret's worst case: six connection attempts (three logins, each TLS then plaintext when
  # the secret allows it), then three statements after login, each allowed three times the connect
  # timeout (statement_timeout = query_timeout = 3 x c), plus the Secrets Manager calls:
  # 6c + 9c + 5.
  minimum_timeout = 15 * var.connect_timeout_seconds + 5

  rotator_environment = merge(
    {
      CONNECT_TIMEOUT_SECONDS = tostring(var.connect_timeout_seconds)
      REQUIRE_TLS             = tostring(var.require_tls)
    },
    var.tls_ca_bundle_path == null ? {} : { TLS_CA_BUNDLE_PATH = var.tls_ca_bundle_path },
  )
}

module "function" {
  source = "../rotation-function"

  name                = var.name
  rotator             = "postgres-single-user"
  zip_path            = var.zip_path
  timeout             = var.timeout
  minimum_timeout     = local.minimum_timeout
  rotator_environment = local.rotator_environment
  secrets             = var.secrets
  password_policy     = var.password_policy

  # The deployment's settings: typed, defaulted and checked once, in rotation-function, which
  # takes tags and the alarms beside `function`.
  function            = var.function
  tags                = try(var.function.tags, null)
  create_alarms       = try(var.function.create_alarms, null)
  alarm_sns_topic_arn = try(var.function.alarm_sns_topic_arn, null)
  overdue_alarm       = try(var.function.overdue_alarm, null)
}
