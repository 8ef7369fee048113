# A secret holding a third-party API key, the api-key rotation function, and the wiring.

locals {
  # "https://api.example.com:8443/v1" -> "api.example.com:8443": the one host the function may call.
  base_url_host = lower(regex("^https://([^/?#]+)", var.base_url)[0])
}

resource "aws_secretsmanager_secret" "this" {
  name_prefix             = "${var.name}/"
  description             = "API key for ${var.base_url}, rotated by ${var.name}"
  recovery_window_in_days = var.recovery_window_in_days
}

resource "aws_secretsmanager_secret_version" "initial" {
  secret_id = aws_secretsmanager_secret.this.id
  # Write-only: the key reaches Secrets Manager, never the plan or the state.
  secret_string_wo = jsonencode({
    apiKey   = var.initial_api_key
    keyId    = var.key_id
    baseUrl  = var.base_url
    provider = var.provider_name
  })
  secret_string_wo_version = 1
  # TERRAFORM_MANAGED keeps a label on this version once rotations have moved AWSCURRENT and
  # AWSPREVIOUS away, so Secrets Manager never deletes it and the next plan never re-creates it
  # with the old key (terraform-aws-secrets-manager #24).
  version_stages = ["AWSCURRENT", "TERRAFORM_MANAGED"]

  lifecycle {
    # The rotator moves the AWS* labels; that is not drift.
    ignore_changes = [version_stages]
  }
}

module "rotation" {
  source = "../../modules/api-key"

  name     = var.name
  zip_path = coalesce(var.zip_path, "${path.module}/../../../packages/api-key/dist/api-key.zip")

  provider_name      = var.provider_name
  allowed_hosts      = coalesce(var.allowed_hosts, [local.base_url_host])
  ca_bundle_path     = var.ca_bundle_path
  revoke_initial_key = var.revoke_initial_key

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
