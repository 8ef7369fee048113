# Shared by every example root (terraform/examples/*/example.tf links here): the secret the
# example rotates, its first value, how the rotator module is deployed and scheduled, and the
# outputs. Each example sets local.rotated_secret (name_prefix, description, initial_value: the
# JSON of its first value) and calls its rotator module as module.rotation with
# function = local.function and secrets = local.secrets.

resource "aws_secretsmanager_secret" "this" {
  name_prefix             = local.rotated_secret.name_prefix
  description             = local.rotated_secret.description
  recovery_window_in_days = var.recovery_window_in_days
}

resource "aws_secretsmanager_secret_version" "initial" {
  secret_id = aws_secretsmanager_secret.this.id
  # Write-only (from ephemeral variables): the value reaches Secrets Manager, never the plan or the
  # state. Written once: from the first rotation on, the rotator owns the value.
  secret_string_wo         = local.rotated_secret.initial_value
  secret_string_wo_version = 1
  # TERRAFORM_MANAGED keeps a label on this version once rotations have moved AWSCURRENT and
  # AWSPREVIOUS away, so Secrets Manager never deletes it and the next plan never re-creates it
  # with the old value (terraform-aws-secrets-manager #24).
  version_stages = ["AWSCURRENT", "TERRAFORM_MANAGED"]

  lifecycle {
    # The rotator moves the AWS* labels; that is not drift.
    ignore_changes = [version_stages]
  }
}

locals {
  # The rotator module's `function`: the deployment around the rotator.
  function = {
    vpc                     = var.vpc
    secretsmanager_endpoint = var.secretsmanager_endpoint != "" ? var.secretsmanager_endpoint : var.endpoint
    log_retention_in_days   = 14
    # moto does not keep Lambda's LoggingConfig, so the block would show as a change on every plan.
    log_format = local.local_emulator ? "Text" : "JSON"
  }

  # The schedule of the example's secret.
  schedule = {
    automatically_after_days = var.automatically_after_days
    rotate_immediately       = var.rotate_immediately
  }

  # The module's `secrets`: the example's secret and its schedule (master_secret.tf adds the
  # master for the alternating users).
  secrets = { example = merge(local.schedule, { arn = aws_secretsmanager_secret.this.arn }) }
}

variable "vpc" {
  description = <<-EOT
    Subnets and security groups for the function when its target is private (the subnets need a
    route to Secrets Manager, and to the key API for api-key); null for none.
  EOT
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  default = null
}

variable "automatically_after_days" {
  description = "Days between rotations."
  type        = number
  default     = 30
}

variable "rotate_immediately" {
  description = "Rotate once as soon as rotation is configured (so the initial value is soon out of use)."
  type        = bool
  default     = true
}

variable "recovery_window_in_days" {
  description = "Days a destroyed secret can still be restored (0 deletes it at once, 7-30 otherwise)."
  type        = number
  default     = 7
}

variable "secretsmanager_endpoint" {
  description = "Secrets Manager endpoint the function itself calls; empty for AWS's (or `endpoint` when set)."
  type        = string
  default     = ""
}

output "secret_arn" {
  description = "ARN of the rotated secret."
  value       = aws_secretsmanager_secret.this.arn
}

output "function_arn" {
  description = "ARN of the rotation function."
  value       = module.rotation.function.function_arn
}

output "function_name" {
  description = "Name of the rotation function."
  value       = module.rotation.function.function_name
}
