# A secret for an existing base user whose "masterarn" names the master (admin) secret, the
# postgres-alternating-users rotation function, and the wiring. The secrets, the provider, the
# database settings and the shared variables and outputs are in example.tf, master_secret.tf,
# providers.tf and database.tf, links to the files the examples share (../../examples-common).

locals {
  master_secret = {
    description = "Admin role ${var.master_username} on ${var.db_host}; read by ${var.name}, not rotated by it"
    initial_value = jsonencode(merge(
      {
        engine   = "postgres"
        host     = var.db_host
        port     = var.db_port
        username = var.master_username
        password = var.master_password
      },
      var.master_ssl == null ? {} : { ssl = var.master_ssl },
    ))
  }

  rotated_secret = {
    name_prefix = "${var.name}/app/"
    description = join(" ", [
      "PostgreSQL users ${var.db_username} / ${var.db_username}_clone on ${var.db_host},",
      "rotated by ${var.name}",
    ])
    initial_value = jsonencode(merge(
      {
        engine    = "postgres"
        host      = var.db_host
        port      = var.db_port
        dbname    = var.db_name
        username  = var.db_username
        password  = var.db_password
        masterarn = aws_secretsmanager_secret.master.arn
      },
      var.owner_role == null ? {} : { ownerRole = var.owner_role },
      var.db_ssl == null ? {} : { ssl = var.db_ssl },
    ))
  }
}

module "rotation" {
  source = "../../modules/postgres-alternating-users"

  name = var.name
  zip_path = coalesce(
    var.zip_path,
    "${path.module}/../../../packages/postgres-alternating-users/dist/postgres-alternating-users.zip",
  )

  adopt_ownership = var.adopt_ownership

  database = local.database
  function = local.function
  secrets  = local.secrets_with_master

  # The first rotation needs both values to start from.
  depends_on = [aws_secretsmanager_secret_version.initial, aws_secretsmanager_secret_version.master]
}
