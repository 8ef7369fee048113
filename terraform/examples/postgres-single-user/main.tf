# A secret for one existing PostgreSQL login role, the postgres-single-user rotation function, and
# the wiring between them.

resource "aws_secretsmanager_secret" "this" {
  name_prefix             = "${var.name}/"
  description             = "PostgreSQL role ${var.db_username} on ${var.db_host}, rotated by ${var.name}"
  recovery_window_in_days = var.recovery_window_in_days
}

resource "aws_secretsmanager_secret_version" "initial" {
  secret_id = aws_secretsmanager_secret.this.id
  # Write-only: the password reaches Secrets Manager, never the plan or the state.
  secret_string_wo = jsonencode(merge(
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
  source = "../../modules/postgres-single-user"

  name     = var.name
  zip_path = coalesce(var.zip_path, "${path.module}/../../../packages/postgres-single-user/dist/postgres-single-user.zip")

  tls_ca_bundle_path = var.tls_ca_bundle_path

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
      automatically_after_days = var.automatically_after_days
      rotate_immediately       = var.rotate_immediately
    }
  }

  # The first rotation needs a value to start from.
  depends_on = [aws_secretsmanager_secret_version.initial]
}
