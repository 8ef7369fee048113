variable "name" {
  description = "Name of the rotation function (and prefix of its role, log group and alarms)."
  type        = string
}

variable "zip_path" {
  description = "Path of packages/postgres-alternating-users/dist/postgres-alternating-users.zip (npm run package)."
  type        = string
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

variable "secrets" {
  description = "Secrets to rotate, by a key of your choice: arn, kms_key_arn (customer managed key, if any), and exactly one of automatically_after_days (1-1000) or schedule_expression (+ optional duration), rotate_immediately (default true). The secret JSON needs a \"password\" field; every other field is kept."
  type = map(object({
    arn                      = string
    kms_key_arn              = optional(string)
    automatically_after_days = optional(number)
    schedule_expression      = optional(string)
    duration                 = optional(string)
    rotate_immediately       = optional(bool, true)
  }))
  default = {}
}

variable "password_policy" {
  description = "GetRandomPassword settings for new passwords: length (4-4096, default 32), exclude_characters, exclude_numbers, exclude_punctuation, exclude_uppercase, exclude_lowercase, include_space, require_each_included_type."
  type = object({
    length                     = optional(number, 32)
    exclude_characters         = optional(string)
    exclude_numbers            = optional(bool, false)
    exclude_punctuation        = optional(bool, false)
    exclude_uppercase          = optional(bool, false)
    exclude_lowercase          = optional(bool, false)
    include_space              = optional(bool, false)
    require_each_included_type = optional(bool, true)
  })
  default = {}
}
