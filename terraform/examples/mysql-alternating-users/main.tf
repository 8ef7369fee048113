# A secret for an existing base user whose "masterarn" names the master (admin) secret, the
# mysql-alternating-users rotation function, and the wiring. The secrets, the provider, the
# database settings and the shared variables and outputs are in example.tf, master_secret.tf,
# providers.tf and database.tf, links to the files the examples share (../../examples-common).

locals {
  master_secret = {
    description = "Admin user ${var.master_username} on ${var.db_host}; read by ${var.name}, not rotated by it"
    initial_value = jsonencode({
      engine   = var.db_engine
      host     = var.db_host
      port     = var.db_port
      username = var.master_username
      password = var.master_password
    })
  }

  rotated_secret = {
    name_prefix = "${var.name}/app/"
    description = "MySQL users ${var.db_username} / ${var.db_username}_clone on ${var.db_host}, rotated by ${var.name}"
    initial_value = jsonencode(merge(
      {
        engine    = var.db_engine
        host      = var.db_host
        port      = var.db_port
        username  = var.db_username
        password  = var.db_password
        masterarn = aws_secretsmanager_secret.master.arn
      },
      var.db_name == null ? {} : { dbname = var.db_name },
      var.db_ssl == null ? {} : { ssl = var.db_ssl },
    ))
  }
}

module "rotation" {
  source = "../../modules/mysql-alternating-users"

  name = var.name
  zip_path = coalesce(
    var.zip_path,
    "${path.module}/../../../packages/mysql-alternating-users/dist/mysql-alternating-users.zip",
  )

  username_character_limit = var.username_character_limit

  database = local.database
  function = local.function
  secrets  = local.secrets_with_master

  # The first rotation needs both values to start from.
  depends_on = [aws_secretsmanager_secret_version.initial, aws_secretsmanager_secret_version.master]
}
