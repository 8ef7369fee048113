variable "endpoint" {
  description = "URL of a local AWS emulator (e.g. moto at http://127.0.0.1:4566) for every service; empty for AWS."
  type        = string
  default     = ""
}

variable "region" {
  description = "AWS region."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name of the rotation function and prefix of the secret's name."
  type        = string
  default     = "example-postgres-alternating-users"
}

variable "zip_path" {
  description = "Built zip; null for ../../../packages/postgres-alternating-users/dist/postgres-alternating-users.zip (npm run package)."
  type        = string
  default     = null
}

variable "username" {
  description = "Kept as it is in the secret; only the password is rotated."
  type        = string
  default     = "reporting"
}

variable "initial_password" {
  description = "The secret's first password, replaced by the first rotation. Ephemeral: never stored in the plan or the state."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "automatically_after_days" {
  description = "Days between rotations."
  type        = number
  default     = 30
}

variable "rotate_immediately" {
  description = "Rotate once as soon as rotation is configured (so the initial password is never in use)."
  type        = bool
  default     = true
}

variable "recovery_window_in_days" {
  description = "Days a destroyed secret can still be restored (0 deletes it at once, 7-30 otherwise)."
  type        = number
  default     = 7
}

variable "secretsmanager_endpoint" {
  description = "Secrets Manager endpoint the function itself calls; empty for AWS's (or `endpoint` when set)."
  type        = string
  default     = ""
}
