# A third-party API key rotated through the provider's own key API. The function needs outbound
# HTTPS to the provider (a NAT gateway when it runs in a VPC). The provider makes the keys, so no
# password policy applies.
locals {
  rotator_environment = merge(
    {
      API_PROVIDER                = var.provider_name
      API_REQUEST_TIMEOUT_SECONDS = tostring(var.request_timeout_seconds)
      API_STEP_TIMEOUT_SECONDS    = tostring(var.step_timeout_seconds)
      API_MAX_RETRIES             = tostring(var.max_retries)
      API_RETRY_BASE_DELAY_MS     = tostring(var.retry_base_delay_ms)
      API_REVOKE_INITIAL_KEY      = tostring(var.revoke_initial_key)
      API_SECRET_SETTINGS         = tostring(var.secret_settings)
      API_MAX_PAGES               = tostring(var.max_pages)
    },
    length(var.allowed_hosts) == 0 ? {} : { API_ALLOWED_HOSTS = join(",", var.allowed_hosts) },
    var.ca_bundle_path == null ? {} : { API_CA_BUNDLE_PATH = var.ca_bundle_path },
    # The generic adapter's settings: field page_size is API_PAGE_SIZE, and so on. The names are the
    # package's own (SETTING_VARIABLES, packages/api-key/src/adapters/settings.ts);
    # terraform/tests/apiKeySettings.test.ts fails when `http` and that list differ.
    { for field, value in var.http : "API_${upper(field)}" => tostring(value) if value != null },
  )
}

module "function" {
  source = "../rotation-function"

  name                = var.name
  rotator             = "api-key"
  zip_path            = var.zip_path
  timeout             = var.timeout
  minimum_timeout     = var.step_timeout_seconds + 5
  rotator_environment = local.rotator_environment
  secrets             = var.secrets
  # The provider makes the keys: no password variables, no GetRandomPassword.
  password_policy = null
  # The deployment's settings: typed, defaulted and checked once, in rotation-function.
  function = var.function
}
