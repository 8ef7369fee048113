# A secret for one existing PostgreSQL login role, the postgres-single-user rotation function, and
# the wiring between them. The secret, the provider, the database settings and the shared
# variables and outputs are in example.tf, providers.tf and database.tf, links to the files the
# examples share (../../examples-common).

locals {
  rotated_secret = {
    name_prefix = "${var.name}/"
    description = "PostgreSQL role ${var.db_username} on ${var.db_host}, rotated by ${var.name}"
    initial_value = jsonencode(merge(
      {
        engine   = "postgres"
        host     = var.db_host
        port     = var.db_port
        dbname   = var.db_name
        username = var.db_username
        password = var.db_password
      },
      var.db_ssl == null ? {} : { ssl = var.db_ssl },
    ))
  }
}

module "rotation" {
  source = "../../modules/postgres-single-user"

  name = var.name
  zip_path = coalesce(
    var.zip_path,
    "${path.module}/../../../packages/postgres-single-user/dist/postgres-single-user.zip",
  )

  database = local.database
  function = local.function
  secrets  = local.secrets

  # The first rotation needs a value to start from.
  depends_on = [aws_secretsmanager_secret_version.initial]
}
