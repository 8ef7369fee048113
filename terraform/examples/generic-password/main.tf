# A secret holding {"username", "password"}, the generic-password rotation function, and the
# wiring between them.

resource "aws_secretsmanager_secret" "this" {
  name_prefix             = "${var.name}/"
  description             = "Password rotated by ${var.name} (generic-password)"
  recovery_window_in_days = var.recovery_window_in_days
}

resource "aws_secretsmanager_secret_version" "initial" {
  secret_id = aws_secretsmanager_secret.this.id
  # Write-only: the initial value reaches Secrets Manager, never the plan or the state.
  secret_string_wo         = jsonencode({ username = var.username, password = var.initial_password })
  secret_string_wo_version = 1
  # TERRAFORM_MANAGED keeps a label on this version after the rotator has moved AWSCURRENT and
  # AWSPREVIOUS away. Without one, Secrets Manager deletes the label-less version, and the next
  # plan would re-create it as AWSCURRENT with the initial value (terraform-aws-secrets-manager #24).
  version_stages = ["AWSCURRENT", "TERRAFORM_MANAGED"]

  lifecycle {
    # The rotator moves the AWS* labels; that is not drift.
    ignore_changes = [version_stages]
  }
}

module "rotation" {
  source = "../../modules/generic-password"

  name     = var.name
  zip_path = coalesce(var.zip_path, "${path.module}/../../../packages/generic-password/dist/generic-password.zip")

  function = {
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
