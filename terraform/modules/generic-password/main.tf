# A generated password with no service behind it: the function only talks to Secrets Manager.
module "function" {
  source = "../rotation-function"

  name            = var.name
  rotator         = "generic-password"
  zip_path        = var.zip_path
  timeout         = var.timeout
  minimum_timeout = 10
  secrets         = var.secrets
  password_policy = var.password_policy
  # The deployment's settings: typed, defaulted and checked once, in rotation-function.
  function = var.function
}
