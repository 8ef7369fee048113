# Two MySQL/MariaDB users take turns (app, app_clone); the master secret's user sets their
# passwords and copies privileges. The function reaches the database and Secrets Manager: give it
# `function.vpc` when the database is private.
locals {
  # Three logins (pending, current, master; one attempt each: no plaintext retry) of c each, one
  # statement that stops getting answers (3c: every statement's limit), the RDS lookup when on (3
  # attempts of c), plus 5 s for the Secrets Manager calls.
  minimum_timeout = 9 * module.function.database.connect_timeout_seconds + 5

  rotator_environment = {
    USERNAME_CHARACTER_LIMIT = tostring(var.username_character_limit)
    RDS_MANAGED_MASTER       = tostring(var.rds_managed_master)
    ADOPT_EXISTING_CLONE     = tostring(var.adopt_existing_clone)
  }

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
  database                = var.database
  password_policy         = var.password_policy
  # Each secret's master_secret_arn: readable by the function, and in MASTER_SECRET_ARNS.
  uses_master_secrets = true
  secrets             = var.secrets
  # The deployment's settings: typed, defaulted and checked once, in rotation-function.
  function = var.function
}
