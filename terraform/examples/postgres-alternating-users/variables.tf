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
  description = "Name of the rotation function and prefix of the secrets' names."
  type        = string
  default     = "example-postgres-alternating-users"
}

variable "zip_path" {
  description = "Built zip; null for ../../../packages/postgres-alternating-users/dist/postgres-alternating-users.zip (npm run package)."
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
  description = "Database the application logs in to."
  type        = string
  default     = "postgres"
}

variable "db_username" {
  description = "The existing base user (e.g. app, at most 57 bytes); the first rotation creates <name>_clone and the owner role <name>_owner."
  type        = string
}

variable "db_password" {
  description = "The base user's current password, the secret's first value. Ephemeral: never stored in the plan or the state."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "owner_role" {
  description = "The secret's \"ownerRole\": the NOLOGIN role both users act as; null for <db_username>_owner. It must not exist yet (the rotator creates and marks it)."
  type        = string
  default     = null
}

variable "master_username" {
  description = "Admin role that creates the clone and the owner role and sets passwords (CREATEROLE; on RDS the master user)."
  type        = string
}

variable "master_password" {
  description = "The admin role's password, the master secret's value. Ephemeral: never stored in the plan or the state."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "adopt_ownership" {
  description = "Let the master move objects the base user owns to the owner role (REASSIGN OWNED) on the first rotation; false makes that rotation fail, saying how many objects."
  type        = bool
  default     = false
}

variable "db_ssl" {
  description = "The secret's \"ssl\" field: true or null = verified TLS; false = plaintext, which the function refuses while its require_tls is true (the module's default)."
  type        = bool
  default     = true
}

variable "master_ssl" {
  description = "The master secret's own \"ssl\" field (the master's login never follows the app secret's)."
  type        = bool
  default     = true
}

variable "require_tls" {
  description = "The function's REQUIRE_TLS (the module's default true): verified TLS for every login; false lets a secret that says \"ssl\": false use plaintext."
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
