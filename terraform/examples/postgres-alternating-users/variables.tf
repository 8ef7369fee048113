variable "name" {
  description = "Name of the rotation function and prefix of the secrets' names."
  type        = string
  default     = "example-postgres-alternating-users"
}

variable "zip_path" {
  description = <<-EOT
    Built zip; null for
    ../../../packages/postgres-alternating-users/dist/postgres-alternating-users.zip (npm run
    package).
  EOT
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
  description = <<-EOT
    The existing base user (e.g. app, at most 57 bytes); the first rotation creates <name>_clone and
    the owner role <name>_owner.
  EOT
  type        = string
}

variable "db_password" {
  description = <<-EOT
    The base user's current password, the secret's first value. Ephemeral: never stored in the plan
    or the state.
  EOT
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "owner_role" {
  description = <<-EOT
    The secret's "ownerRole": the NOLOGIN role both users act as; null for <db_username>_owner. It
    must not exist yet (the rotator creates and marks it).
  EOT
  type        = string
  default     = null
}

variable "master_username" {
  description = <<-EOT
    Admin role that creates the clone and the owner role and sets passwords (CREATEROLE; on RDS the
    master user).
  EOT
  type        = string
}

variable "master_password" {
  description = <<-EOT
    The admin role's password, the master secret's value. Ephemeral: never stored in the plan or the
    state.
  EOT
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "adopt_ownership" {
  description = <<-EOT
    Let the master move objects the base user owns to the owner role (REASSIGN OWNED) on the first
    rotation; false makes that rotation fail, saying how many objects.
  EOT
  type        = bool
  default     = false
}

variable "master_ssl" {
  description = "The master secret's own \"ssl\" field (the master's login never follows the app secret's)."
  type        = bool
  default     = true
}
