# One PostgreSQL role changes its own password (sent as a SCRAM-SHA-256 verifier). The function
# reaches the database and Secrets Manager: give it `vpc` when the database is private.
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

  secrets = { for key, s in var.secrets : key => merge(s, { master_secret_arn = null, master_secret_kms_key_arn = null }) }

  runtime                        = var.runtime
  architecture                   = var.architecture
  memory_size                    = var.memory_size
  reserved_concurrent_executions = var.reserved_concurrent_executions
  environment_kms_key_arn        = var.environment_kms_key_arn
  vpc                            = var.vpc
  password_policy                = var.password_policy
  secretsmanager_endpoint        = var.secretsmanager_endpoint
  log_level                      = var.log_level
  log_format                     = var.log_format
  log_retention_in_days          = var.log_retention_in_days
  log_kms_key_arn                = var.log_kms_key_arn
  permissions_boundary_arn       = var.permissions_boundary_arn
  role_path                      = var.role_path
  secret_access                  = var.secret_access
  extra_kms_key_arns             = var.extra_kms_key_arns
  create_alarms                  = var.create_alarms
  alarm_sns_topic_arn            = var.alarm_sns_topic_arn
  tags                           = var.tags
}
