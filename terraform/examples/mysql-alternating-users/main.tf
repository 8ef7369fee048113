# The master (admin) secret, a secret for an existing base user whose "masterarn" names it, the
# mysql-alternating-users rotation function, and the wiring.

resource "aws_secretsmanager_secret" "master" {
  name_prefix             = "${var.name}/master/"
  description             = "Admin user ${var.master_username} on ${var.db_host}; read by ${var.name}, not rotated by it"
  recovery_window_in_days = var.recovery_window_in_days
}

resource "aws_secretsmanager_secret_version" "master" {
  secret_id = aws_secretsmanager_secret.master.id
  # Write-only: the password reaches Secrets Manager, never the plan or the state.
  secret_string_wo = jsonencode({
    engine   = var.db_engine
    host     = var.db_host
    port     = var.db_port
    username = var.master_username
    password = var.master_password
  })
  secret_string_wo_version = 1
}

resource "aws_secretsmanager_secret" "this" {
  name_prefix             = "${var.name}/app/"
  description             = "MySQL users ${var.db_username} / ${var.db_username}_clone on ${var.db_host}, rotated by ${var.name}"
  recovery_window_in_days = var.recovery_window_in_days
}

resource "aws_secretsmanager_secret_version" "initial" {
  secret_id = aws_secretsmanager_secret.this.id
  # Write-only: the password reaches Secrets Manager, never the plan or the state.
  secret_string_wo = jsonencode(merge(
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
  secret_string_wo_version = 1
  # TERRAFORM_MANAGED keeps a label on this version once rotations have moved AWSCURRENT and
  # AWSPREVIOUS away, so Secrets Manager never deletes it and the next plan never re-creates it
  # with the old password (terraform-aws-secrets-manager #24).
  version_stages = ["AWSCURRENT", "TERRAFORM_MANAGED"]

  lifecycle {
    # The rotator moves the AWS* labels; that is not drift.
    ignore_changes = [version_stages]
  }
}

module "rotation" {
  source = "../../modules/mysql-alternating-users"

  name     = var.name
  zip_path = coalesce(var.zip_path, "${path.module}/../../../packages/mysql-alternating-users/dist/mysql-alternating-users.zip")

  username_character_limit = var.username_character_limit
  require_tls              = var.require_tls
  tls_ca_bundle_path       = var.tls_ca_bundle_path

  function = {
    vpc                     = var.vpc
    secretsmanager_endpoint = var.secretsmanager_endpoint != "" ? var.secretsmanager_endpoint : var.endpoint
    log_retention_in_days   = 14
    # moto does not keep Lambda's LoggingConfig, so the block would show as a change on every plan.
    log_format = local.local_emulator ? "Text" : "JSON"
  }

  secrets = {
    example = {
      arn                      = aws_secretsmanager_secret.this.arn
      master_secret_arn        = aws_secretsmanager_secret.master.arn
      automatically_after_days = var.automatically_after_days
      rotate_immediately       = var.rotate_immediately
    }
  }

  # The first rotation needs both values to start from.
  depends_on = [aws_secretsmanager_secret_version.initial, aws_secretsmanager_secret_version.master]
}
