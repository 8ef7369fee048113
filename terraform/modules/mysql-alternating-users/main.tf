# Two MySQL/MariaDB users take turns (app, app_clone); the master secret's user sets their
# passwords and copies privileges. The function reaches the database and Secrets Manager: give it
# `vpc` when the database is private.
locals {
  # Three logins (pending, current, master; one attempt each: no plaintext retry) of c each, one
  # statement that stops getting answers (3c: every statement's limit), the RDS lookup when on (3
  # attempts of c), plus 5 s for the Secrets Manager calls.
  minimum_timeout = 9 * var.connect_timeout_seconds + 5

  rotator_environment = merge(
    {
      CONNECT_TIMEOUT_SECONDS  = tostring(var.connect_timeout_seconds)
      REQUIRE_TLS              = tostring(var.require_tls)
      USERNAME_CHARACTER_LIMIT = tostring(var.username_character_limit)
      RDS_MANAGED_MASTER       = tostring(var.rds_managed_master)
      ADOPT_EXISTING_CLONE     = tostring(var.adopt_existing_clone)
    },
    var.tls_ca_bundle_path == null ? {} : { TLS_CA_BUNDLE_PATH = var.tls_ca_bundle_path },
  )

  # The RDS lookup of RDS-managed master secrets: list calls, which take no narrower resource.
  extra_policy_statements = var.rds_managed_master ? [{
    sid       = "FindServersOfRdsManagedMasterSecrets"
    actions   = ["rds:DescribeDBClusters", "rds:DescribeDBInstances"]
    resources = ["*"]
  }] : []
}

module "function" {
  source = "../rotation-function"

  name                    = var.name
  rotator                 = "mysql-alternating-users"
  zip_path                = var.zip_path
  timeout                 = var.timeout
  minimum_timeout         = local.minimum_timeout
  rotator_environment     = local.rotator_environment
  extra_policy_statements = local.extra_policy_statements

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
