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
  default     = "example-postgres-single-user"
}

variable "zip_path" {
  description = "Built zip; null for ../../../packages/postgres-single-user/dist/postgres-single-user.zip (npm run package)."
  type        = string
  default     = null
}

variable "db_host" {
  description = "Host name of the PostgreSQL server (the writer endpoint)."
  type        = string
}

variable "db_port" {
  description = "Port of the PostgreSQL server."
  type        = number
  default     = 5432
}

variable "db_name" {
  description = "Database to connect to."
  type        = string
  default     = "postgres"
}

variable "db_username" {
  description = "The existing login role whose password is rotated."
  type        = string
}

variable "db_password" {
  description = "The role's current password, the secret's first value. Ephemeral: never stored in the plan or the state."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "db_ssl" {
  description = "The secret's \"ssl\" field: true or null = verified TLS; false = plaintext, which the function refuses while its require_tls is true (the module's default)."
  type        = bool
  default     = true
}

variable "tls_ca_bundle_path" {
  description = "PEM file of the CAs the function trusts instead of Node's roots + the Amazon RDS bundle; null for those."
  type        = string
  default     = null
}

variable "vpc" {
  description = "Subnets and security groups for the function when the database is private; null for none."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  default = null
}

variable "automatically_after_days" {
  description = "Days between rotations."
  type        = number
  default     = 30
}

variable "rotate_immediately" {
  description = "Rotate once as soon as rotation is configured."
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
