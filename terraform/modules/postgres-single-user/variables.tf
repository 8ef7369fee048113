variable "name" {
  description = "Name of the rotation function (and prefix of its role, log group and alarms)."
  type        = string
}

variable "zip_path" {
  description = "Path of packages/postgres-single-user/dist/postgres-single-user.zip (npm run package)."
  type        = string
}

variable "function" {
  description = "Function, role, logs, alarms, tags: any attribute of rotation-function's `function` (see its README)."
  type        = any
  default     = {}
}

variable "timeout" {
  description = <<-EOT
    Timeout of one rotation step in seconds. At least 15 x database.connect_timeout_seconds + 5: up
    to six logins (one attempt each: AWSPENDING, AWSCURRENT, AWSPREVIOUS and up to three versions an
    abandoned rotation left without a label) and three statements after login, each allowed 3 x the
    connect timeout, take at most 15 x the connect timeout; the rest is for the Secrets Manager
    calls. The default 80 fits the default connect timeout of 5.
  EOT
  type        = number
  default     = 80

  validation {
    condition = var.timeout >= local.minimum_timeout && var.timeout <= 900
    error_message = join(" ", [
      "timeout (${var.timeout} s) must be at least 15 x database.connect_timeout_seconds + 5 =",
      "${local.minimum_timeout} s, so that six logins, three statements (each allowed 3 x the",
      "connect timeout) and the Secrets Manager calls fit in one step (and at most 900).",
    ])
  }
}

variable "database" {
  description = <<-EOT
    How the function connects to PostgreSQL, every attribute optional: connect_timeout_seconds (one
    connection attempt, 1-60 s, default 5), require_tls (default true: every connection uses
    verified TLS, and a secret that says "ssl": false is refused; false: such a secret connects in
    plaintext, with a WARN, all others still use verified TLS; a server that offers no TLS is an
    error either way), tls_ca_bundle_path (PEM file of the CAs to trust instead of Node's roots +
    the Amazon RDS bundle shipped in the zip, e.g. /opt/ca.pem from a layer; null for those). Types,
    defaults, checks and environment variables: rotation-function's `database`.
  EOT
  type        = any
  default     = {}
  nullable    = false
}

variable "password_policy" {
  description = "GetRandomPassword settings for new passwords: rotation-function's `password_policy` (see its README)."
  type        = any
  default     = {}
  nullable    = false
}

variable "secrets" {
  description = <<-EOT
    Secrets to rotate, each one PostgreSQL role whose password is changed in place, by a key of your
    choice. Secret JSON: engine (postgres | aurora-postgresql), host, username, password, port, dbname,
    ssl (see the package README). Per secret: arn, kms_key_arn (customer managed key, if any), exactly
    one of automatically_after_days (1-1000) or schedule_expression (+ optional duration),
    rotate_immediately (default true). Types and checks: rotation-function's `secrets`.
  EOT
  type        = any
  default     = {}
  nullable    = false
}
