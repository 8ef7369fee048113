# Two MySQL/MariaDB users take turns (app, app_clone); the master secret's user sets their
# passwords and copies privileges. The function reaches the database and Secrets Manager: give it
# `function.vpc` when the database is private.
locals {
  # Three logins (pending, current, master; one attempt each: no plaintext retry) of c each, one
  # statement that stops getting answers (3c: every statement's limit), the RDS lookup when on (3
  # attempts of c), plus 5 s for the Secrets Manager calls.
  minimum_timeout = 9 * var.connect_timeout_seconds + 5

  # The only secrets a wired secret's "masterarn" may name (MASTER_SECRET_ARNS): the function's
  # configuration decides whose credential is used, not whoever can write the secret.
  master_secret_arns = sort(distinct(compact([for s in values(var.secrets) : try(s.master_secret_arn, null)])))

  # Each master secret becomes readable (GetSecretValue only, and its key through Secrets
  # Manager): rotation-function's read_secrets of the secret that names it.
  secrets = { for key, s in var.secrets : key => merge(s, {
    read_secrets = [{ arn = s.master_secret_arn, kms_key_arn = try(s.master_secret_kms_key_arn, null) }]
  }) }

  rotator_environment = merge(
    {
      CONNECT_TIMEOUT_SECONDS  = tostring(var.connect_timeout_seconds)
      REQUIRE_TLS              = tostring(var.require_tls)
      USERNAME_CHARACTER_LIMIT = tostring(var.username_character_limit)
      RDS_MANAGED_MASTER       = tostring(var.rds_managed_master)
      ADOPT_EXISTING_CLONE     = tostring(var.adopt_existing_clone)
    },
    var.tls_ca_bundle_path == null ? {} : { TLS_CA_BUNDLE_PATH = var.tls_ca_bundle_path },
    length(local.master_secret_arns) == 0 ? {} : { MASTER_SECRET_ARNS = join(",", local.master_secret_arns) },
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
  password_policy         = var.password_policy
  secrets                 = local.secrets

  # The deployment's settings: typed, defaulted and checked once, in rotation-function, which
  # takes tags and the alarms beside `function`.
  function            = var.function
  tags                = try(var.function.tags, null)
  create_alarms       = try(var.function.create_alarms, null)
  alarm_sns_topic_arn = try(var.function.alarm_sns_topic_arn, null)
  overdue_alarm       = try(var.function.overdue_alarm, null)
}
