# One PostgreSQL role changes its own password (sent as a SCRAM-SHA-256 verifier). The function
# reaches the database and Secrets Manager: give it `function.vpc` when the database is private.
locals {
  # setSecret's worst case: six logins of one attempt each (AWSPENDING, AWSCURRENT, AWSPREVIOUS and
  # up to three versions an abandoned rotation left without a label; there is no plaintext retry),
  # then three statements after login, each allowed three times the connect timeout
  # (statement_timeout = query_timeout = 3 x c), plus the Secrets Manager calls: 6c + 9c + 5. The
  # engine's own time budget stops its Secrets Manager calls before Lambda's deadline.
  # (c: database.connect_timeout_seconds, with rotation-function's default filled in.)
  minimum_timeout = 15 * module.function.database.connect_timeout_seconds + 5
}

module "function" {
  source = "../rotation-function"

  name            = var.name
  rotator         = "postgres-single-user"
  zip_path        = var.zip_path
  timeout         = var.timeout
  minimum_timeout = local.minimum_timeout
  database        = var.database
  secrets         = var.secrets
  password_policy = var.password_policy
  # The deployment's settings: typed, defaulted and checked once, in rotation-function.
  function = var.function
}
