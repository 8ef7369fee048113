# A secret holding {"username", "password"}, the generic-password rotation function, and the
# wiring between them. The secret, the provider and the shared variables and outputs are in
# example.tf and providers.tf, links to the files every example shares (../../examples-common).

locals {
  rotated_secret = {
    name_prefix   = "${var.name}/"
    description   = "Password rotated by ${var.name} (generic-password)"
    initial_value = jsonencode({ username = var.username, password = var.initial_password })
  }
}

module "rotation" {
  source = "../../modules/generic-password"

  name     = var.name
  zip_path = coalesce(var.zip_path, "${path.module}/../../../packages/generic-password/dist/generic-password.zip")

  function = local.function
  secrets  = local.secrets

  # The first rotation needs a value to start from.
  depends_on = [aws_secretsmanager_secret_version.initial]
}
