# A generated password with no service behind it: the function only talks to Secrets Manager.
module "function" {
  source = "../rotation-function"

  name            = var.name
  rotator         = "postgres-alternating-users"
  zip_path        = var.zip_path
  timeout         = var.timeout
  minimum_timeout = 10

  secrets = { for key, s in var.secrets : key => merge(s, { master_secret_arn = null, master_secret_kms_key_arn = null }) }

  runtime                        = var.runtime
  architecture                   = var.architecture
  memory_size                    = var.memory_size
  reserved_concurrent_executions = var.reserved_concurrent_executions
  environment_kms_key_arn        = var.environment_kms_key_arn
  vpc                            = var.vpc
  password_policy                = var.password_policy
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
