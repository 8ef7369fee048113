# Two PostgreSQL users take turns (app, app_clone) and both act as one NOLOGIN owner role; the
# master secret's role creates the clone and the owner role and sets the passwords (as SCRAM
# verifiers). The function reaches the database and Secrets Manager: give it `vpc` when the
# database is private.
locals {
  # setSecret: three logins (pending, current, master; one attempt each: no plaintext retry), then
  # statements that the server cancels after 3 x the connect timeout (statement_timeout,
  # lock_timeout) and that normally take milliseconds, plus the Secrets Manager calls. Each
  # database in adopt_databases adds one login while objects are being adopted.
  minimum_timeout = 15 * var.connect_timeout_seconds + 5

  rotator_environment = merge(
    {
      CONNECT_TIMEOUT_SECONDS = tostring(var.connect_timeout_seconds)
      REQUIRE_TLS             = tostring(var.require_tls)
      ADOPT_OWNERSHIP         = tostring(var.adopt_ownership)
    },
    var.tls_ca_bundle_path == null ? {} : { TLS_CA_BUNDLE_PATH = var.tls_ca_bundle_path },
    length(var.adopt_databases) == 0 ? {} : { ADOPT_DATABASES = join(",", var.adopt_databases) },
  )
}

module "function" {
  source = "../rotation-function"

  name                = var.name
  rotator             = "postgres-alternating-users"
  zip_path            = var.zip_path
  timeout             = var.timeout
  minimum_timeout     = local.minimum_timeout
  rotator_environment = local.rotator_environment

  # The master secrets become readable (GetSecretValue only) by the function's role.
  secrets = var.secrets

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
