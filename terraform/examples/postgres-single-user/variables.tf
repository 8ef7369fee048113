variable "name" {
  description = "Name of the rotation function and prefix of the secret's name."
  type        = string
  default     = "example-postgres-single-user"
}

variable "zip_path" {
  description = <<-EOT
    Built zip; null for ../../../packages/postgres-single-user/dist/postgres-single-user.zip (npm
    run package).
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
  description = "Database to connect to."
  type        = string
  default     = "postgres"
}

variable "db_username" {
  description = "The existing login role whose password is rotated."
  type        = string
}

variable "db_password" {
  description = <<-EOT
    The role's current password, the secret's first value. Ephemeral: never stored in the plan or
    the state.
  EOT
  type        = string
  sensitive   = true
  ephemeral   = true
}
