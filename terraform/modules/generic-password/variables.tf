variable "name" {
  description = "Name of the rotation function (and prefix of its role, log group and alarms)."
  type        = string
}

variable "zip_path" {
  description = "Path of packages/generic-password/dist/generic-password.zip (npm run package)."
  type        = string
}

variable "function" {
  description = <<-EOT
    The function, its role, logs, alarms and tags, every attribute optional: any attribute of
    rotation-function's `function` input (runtime, architecture, memory_size, vpc,
    secretsmanager_endpoint, log_retention_in_days, permissions_boundary_arn, create_alarms,
    alarm_sns_topic_arn, overdue_alarm, tags, …). Types, defaults and checks are rotation-function's
    (see its README).
  EOT
  type        = any
  default     = {}
}

variable "timeout" {
  description = "Timeout of one rotation step in seconds (at least 10: the step only calls Secrets Manager)."
  type        = number
  default     = 30

  validation {
    condition     = var.timeout >= 10 && var.timeout <= 900
    error_message = "timeout must be from 10 to 900 seconds."
  }
}

variable "password_policy" {
  description = <<-EOT
    GetRandomPassword settings for new passwords: length (4-4096, default 32), exclude_characters,
    exclude_numbers, exclude_punctuation, exclude_uppercase, exclude_lowercase, include_space,
    require_each_included_type. Types, defaults and checks: rotation-function's `password_policy`.
  EOT
  type        = any
  default     = {}
  nullable    = false
}

variable "secrets" {
  description = <<-EOT
    Secrets to rotate, by a key of your choice: arn, kms_key_arn (customer managed key, if any), and
    exactly one of automatically_after_days (1-1000) or schedule_expression (+ optional duration),
    rotate_immediately (default true). The secret JSON needs a "password" field; every other field
    is kept.
  EOT
  type        = any
  default     = {}
  nullable    = false
}
