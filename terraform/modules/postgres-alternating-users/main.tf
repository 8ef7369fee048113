# Two PostgreSQL users take turns (app, app_clone) and both act as one NOLOGIN owner role; the
# master secret's role creates the clone and the owner role and sets the passwords (as SCRAM
# verifiers). The function reaches the database and Secrets Manager: give it `function.vpc` when
# the database is private.
locals {
  # setSecret: three logins (pending, current, master; one attempt each: no plaintext retry), then
  # statements that the server cancels after 3 x the connect timeout (statement_timeout,
  # lock_timeout) and that normally take milliseconds, plus the Secrets Manager calls. Each
  # database in adopt_databases adds one login while objects are being adopted.
  minimum_timeout = 15 * var.connect_timeout_seconds + 5

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
      CONNECT_TIMEOUT_SECONDS = tostring(var.connect_timeout_seconds)
      REQUIRE_TLS             = tostring(var.require_tls)
      ADOPT_OWNERSHIP         = tostring(var.adopt_ownership)
    },
    var.tls_ca_bundle_path == null ? {} : { TLS_CA_BUNDLE_PATH = var.tls_ca_bundle_path },
    length(var.adopt_databases) == 0 ? {} : { ADOPT_DATABASES = join(",", var.adopt_databases) },
    length(local.master_secret_arns) == 0 ? {} : { MASTER_SECRET_ARNS = join(",", local.master_secret_arns) },
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
  password_policy     = var.password_policy
  secrets             = local.secrets

  # The deployment's settings: typed, defaulted and checked once, in rotation-function, which
  # takes tags and the alarms beside `function`.
  function            = var.function
  tags                = try(var.function.tags, null)
  create_alarms       = try(var.function.create_alarms, null)
  alarm_sns_topic_arn = try(var.function.alarm_sns_topic_arn, null)
  overdue_alarm       = try(var.function.overdue_alarm, null)
}
