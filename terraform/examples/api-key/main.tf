# A secret holding a third-party API key, the api-key rotation function, and the wiring. The
# secret, the provider and the shared variables and outputs are in example.tf and providers.tf,
# links to the files every example shares (../../examples-common).

locals {
  # "https://api.example.com:8443/v1" -> "api.example.com:8443": the one host the function may call.
  base_url_host = lower(regex("^https://([^/?#]+)", var.base_url)[0])

  rotated_secret = {
    name_prefix = "${var.name}/"
    description = "API key for ${var.base_url}, rotated by ${var.name}"
    initial_value = jsonencode({
      apiKey   = var.initial_api_key
      keyId    = var.key_id
      baseUrl  = var.base_url
      provider = var.provider_name
    })
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

  function = local.function
  secrets  = local.secrets

  # The first rotation needs a value to start from.
  depends_on = [aws_secretsmanager_secret_version.initial]
}
