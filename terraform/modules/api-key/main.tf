# A third-party API key rotated through the provider's own key API. The function needs outbound
# HTTPS to the provider (a NAT gateway when it runs in a VPC). The provider makes the keys, so no
# password policy applies.
locals {
  # The environment names of the generic adapter's settings (packages/api-key/README.md).
  http_variables = {
    keys_path          = "API_KEYS_PATH"
    key_path           = "API_KEY_PATH"
    test_path          = "API_TEST_PATH"
    test_method        = "API_TEST_METHOD"
    create_method      = "API_CREATE_METHOD"
    revoke_method      = "API_REVOKE_METHOD"
    auth_header        = "API_AUTH_HEADER"
    auth_scheme        = "API_AUTH_SCHEME"
    label_field        = "API_LABEL_FIELD"
    id_field           = "API_ID_FIELD"
    key_field          = "API_KEY_FIELD"
    list_items_field   = "API_LIST_ITEMS_FIELD"
    created_item_field = "API_CREATED_ITEM_FIELD"
    next_page          = "API_NEXT_PAGE"
    page_size_param    = "API_PAGE_SIZE_PARAM"
    page_size          = "API_PAGE_SIZE"
  }

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
    { for field, variable in local.http_variables : variable => tostring(var.http[field]) if var.http[field] != null },
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
  password_policy     = null

  secrets = { for key, s in var.secrets : key => merge(s, { master_secret_arn = null, master_secret_kms_key_arn = null }) }

  runtime                        = var.runtime
  architecture                   = var.architecture
  memory_size                    = var.memory_size
  reserved_concurrent_executions = var.reserved_concurrent_executions
  environment_kms_key_arn        = var.environment_kms_key_arn
  vpc                            = var.vpc
  secretsmanager_endpoint        = var.secretsmanager_endpoint
  log_level                      = var.log_level
  log_format                     = var.log_format
  log_retention_in_days          = var.log_retention_in_days
  log_kms_key_arn                = var.log_kms_key_arn
  permissions_boundary_arn       = var.permissions_boundary_arn
  role_path                      = var.role_path
  secret_access                  = var.secret_access
  extra_kms_key_arns             = var.extra_kms_key_arns
  create_alarms                  = var.create_alarms
  alarm_sns_topic_arn            = var.alarm_sns_topic_arn
  tags                           = var.tags
}
