variable "name" {
  description = "Name of the rotation function (and prefix of its role, log group and alarms)."
  type        = string
}

variable "zip_path" {
  description = "Path of packages/generic-password/dist/generic-password.zip (npm run package)."
  type        = string
}

variable "function" {
  description = "Function, role, logs, alarms, tags: any attribute of rotation-function's `function` (see its README)."
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
  description = "GetRandomPassword settings for new passwords: rotation-function's `password_policy` (see its README)."
  type        = any
  default     = {}
  nullable    = false
}

variable "secrets" {
  description = <<-EOT
    Secrets to rotate, by a key of your choice. The secret JSON needs a "password" field; every other
    field is kept. Per secret: arn, kms_key_arn (customer managed key, if any), exactly one of
    automatically_after_days (1-1000) or schedule_expression (+ optional duration), rotate_immediately
    (default true). Types and checks: rotation-function's `secrets`.
  EOT
  type        = any
  default     = {}
  nullable    = false
}
