# Settings of the function itself, passed through to ../rotation-function, which validates them.
# This file is the same in every rotator module (scripts/terraform/check.sh keeps it so).

variable "runtime" {
  description = "Lambda runtime: nodejs22.x (the zips are built for Node 22; nodejs24.x needs hashicorp/aws >= 6.19, untested here)."
  type        = string
  default     = "nodejs22.x"
}

variable "architecture" {
  description = "arm64 or x86_64 (the zips are plain JavaScript)."
  type        = string
  default     = "arm64"
}

variable "memory_size" {
  description = "Memory of the function in MB (128-10240)."
  type        = number
  default     = 256
}

variable "reserved_concurrent_executions" {
  description = "Reserved concurrency: -1 for none, 0 stops every invocation."
  type        = number
  default     = -1
}

variable "environment_kms_key_arn" {
  description = "KMS key for the function's environment variables; null for the AWS managed key."
  type        = string
  default     = null
}

variable "vpc" {
  description = "Subnets and security groups when the target is only reachable inside a VPC; null for none. The subnets need a route to Secrets Manager."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  default = null
}

variable "secretsmanager_endpoint" {
  description = "Secrets Manager endpoint the function calls (a VPC endpoint, a local emulator); empty for the default."
  type        = string
  default     = ""
}

variable "log_level" {
  description = "DEBUG, INFO, WARN or ERROR."
  type        = string
  default     = "INFO"
}

variable "log_format" {
  description = "\"JSON\" (default) or \"Text\" (leaves Lambda's logging_config unset)."
  type        = string
  default     = "JSON"
}

variable "log_retention_in_days" {
  description = "Days CloudWatch keeps the function's logs (a value CloudWatch accepts; 0 = forever)."
  type        = number
  default     = 30
}

variable "log_kms_key_arn" {
  description = "KMS key for the log group; null for the default encryption."
  type        = string
  default     = null
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary for the function's role."
  type        = string
  default     = null
}

variable "role_path" {
  description = "Path of the function's IAM role."
  type        = string
  default     = "/"
}

variable "secret_access" {
  description = "\"explicit_arns\" (the wired secrets only) or \"rotation_lambda_arn\" (any secret whose rotation function is this one)."
  type        = string
  default     = "explicit_arns"
}

variable "extra_kms_key_arns" {
  description = "More KMS keys of secrets rotated by this function but wired elsewhere."
  type        = list(string)
  default     = []
}

variable "create_alarms" {
  description = "Alarm on the function's errors and on RotationFailed events of the wired secrets."
  type        = bool
  default     = true
}

variable "alarm_sns_topic_arn" {
  description = "SNS topic the alarms notify; null for none."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
