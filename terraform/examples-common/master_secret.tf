# Shared by the alternating-users examples (terraform/examples/*/master_secret.tf links here): the
# master (admin) secret the rotated secret's "masterarn" names, read by the function and never
# rotated by it. Each example sets local.master_secret (description, initial_value: the JSON of
# its value) and passes local.secrets_with_master as the module's `secrets`.

resource "aws_secretsmanager_secret" "master" {
  name_prefix             = "${var.name}/master/"
  description             = local.master_secret.description
  recovery_window_in_days = var.recovery_window_in_days
}

resource "aws_secretsmanager_secret_version" "master" {
  secret_id = aws_secretsmanager_secret.master.id
  # Write-only: the password reaches Secrets Manager, never the plan or the state.
  secret_string_wo         = local.master_secret.initial_value
  secret_string_wo_version = 1
}

locals {
  # The module's `secrets`: the example's secret, its schedule and its master.
  secrets_with_master = {
    example = merge(local.schedule, {
      arn               = aws_secretsmanager_secret.this.arn
      master_secret_arn = aws_secretsmanager_secret.master.arn
    })
  }
}

output "master_secret_arn" {
  description = "ARN of the master (admin) secret."
  value       = aws_secretsmanager_secret.master.arn
}
