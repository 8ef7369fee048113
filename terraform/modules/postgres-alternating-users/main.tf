# Two PostgreSQL users take turns (app, app_clone) and both act as one NOLOGIN owner role; the
# master secret's role creates the clone and the owner role and sets the passwords (as SCRAM
# verifiers). The function reaches the database and Secrets Manager: give it `function.vpc` when
# the database is private.
locals {
  # setSecret: three logins (pending, current, master; one attempt each: no plaintext retry), then
  # statements that the server cancels after 3 x the connect timeout (statement_timeout,
  # lock_timeout) and that normally take milliseconds, plus the Secrets Manager calls. Each
  # database in adopt_databases adds one login while objects are being adopted.
  minimum_timeout = 15 * module.function.database.connect_timeout_seconds + 5

  rotator_environment = merge(
    { ADOPT_OWNERSHIP = tostring(var.adopt_ownership) },
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
  database            = var.database
  password_policy     = var.password_policy
  # Each secret's master_secret_arn: readable by the function, and in MASTER_SECRET_ARNS.
  uses_master_secrets = true
  secrets             = var.secrets
  # The deployment's settings: typed, defaulted and checked once, in rotation-function.
  function = var.function
}
