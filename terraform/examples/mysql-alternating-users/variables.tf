variable "name" {
  description = "Name of the rotation function and prefix of the secret's name."
  type        = string
  default     = "example-mysql-alternating-users"
}

variable "zip_path" {
  description = <<-EOT
    Built zip; null for ../../../packages/mysql-alternating-users/dist/mysql-alternating-users.zip
    (npm run package).
  EOT
  type        = string
  default     = null
}

variable "db_engine" {
  description = "The secret's \"engine\": mysql, aurora-mysql or mariadb."
  type        = string
  default     = "mysql"

  validation {
    condition     = contains(["mysql", "aurora-mysql", "mariadb"], var.db_engine)
    error_message = "db_engine must be mysql, aurora-mysql or mariadb."
  }
}

variable "db_host" {
  description = "Host name of the MySQL/MariaDB server (the writer endpoint)."
  type        = string
}

variable "db_port" {
  description = "Port of the server."
  type        = number
  default     = 3306
}

variable "db_name" {
  description = "Database the application logs in to; null for none."
  type        = string
  default     = null
}

variable "db_username" {
  description = "The existing base user (e.g. app); the first rotation creates <name>_clone with the same privileges."
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

variable "master_username" {
  description = <<-EOT
    Admin user that creates the clone and sets passwords (CREATE USER, SELECT on mysql.user, the
    base user's privileges WITH GRANT OPTION).
  EOT
  type        = string
}

variable "master_password" {
  description = <<-EOT
    The admin user's password, the master secret's value. Ephemeral: never stored in the plan or the
    state.
  EOT
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "username_character_limit" {
  description = "Longest user name the server allows: 32 for MySQL >= 5.7.8, 16 for older MySQL, 80 for MariaDB."
  type        = number
  default     = 32
}
