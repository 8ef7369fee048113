variable "name" {
  description = "Name of the rotation function (and prefix of its role, log group and alarms)."
  type        = string
}

variable "zip_path" {
  description = "Path of packages/postgres-alternating-users/dist/postgres-alternating-users.zip (npm run package)."
  type        = string
}

variable "function" {
  description = "Function, role, logs, alarms, tags: any attribute of rotation-function's `function` (see its README)."
  type        = any
  default     = {}
}

variable "timeout" {
  description = <<-EOT
    Timeout of one rotation step in seconds. At least 15 x database.connect_timeout_seconds + 5:
    three logins (one attempt each), statements the server cancels after 3 x the connect timeout,
    and the Secrets Manager calls. The default 120 leaves room for adopting objects in a few
    databases (one login each).
  EOT
  type        = number
  default     = 120

  validation {
    condition = var.timeout >= local.minimum_timeout && var.timeout <= 900
    error_message = join(" ", [
      "timeout (${var.timeout} s) must be at least 15 x database.connect_timeout_seconds + 5 =",
      "${local.minimum_timeout} s, so that three logins, statements (each allowed 3 x the connect",
      "timeout) and the Secrets Manager calls fit in one step (and at most 900).",
    ])
  }
}

variable "database" {
  description = <<-EOT
    How the function connects to PostgreSQL, every attribute optional: connect_timeout_seconds (one
    connection attempt, 1-60 s, default 5), require_tls (default true: every connection, users and
    master, uses verified TLS, and a secret that says "ssl": false is refused; false: such a secret
    connects in plaintext, with a WARN, all others still use verified TLS; a server that offers no
    TLS is an error either way), tls_ca_bundle_path (PEM file of the CAs to trust instead of Node's
    roots + the Amazon RDS bundle shipped in the zip, e.g. /opt/ca.pem from a layer; null for
    those). Types, defaults, checks and environment variables: rotation-function's `database`.
  EOT
  type        = any
  default     = {}
  nullable    = false
}

variable "adopt_ownership" {
  description = <<-EOT
    ADOPT_OWNERSHIP. false (default): a rotation whose users own objects (an existing base user's
    tables) fails in createSecret, saying how many and where, with nothing written. true: the master
    moves them to the owner role (REASSIGN OWNED, one transaction per database) and the rotation
    goes on.
  EOT
  type        = bool
  default     = false
}

variable "adopt_databases" {
  description = <<-EOT
    ADOPT_DATABASES: the databases where adopt_ownership runs REASSIGN OWNED; empty (default) for
    each secret's own dbname. Objects in a database not listed keep the rotation failing.
  EOT
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for d in var.adopt_databases : length(d) > 0 && length(d) <= 63 && !strcontains(d, ",")])
    error_message = "adopt_databases must hold database names of 1-63 characters without commas."
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
    Secrets to rotate, each a PostgreSQL role and its _clone, used in turn, by a key of your choice.
    Secret JSON: engine (postgres | aurora-postgresql), host, port, username, password, dbname,
    masterarn, ownerRole, ssl (see the package README). Per secret: arn, master_secret_arn (the admin
    secret its "masterarn" field names; the function may read it), kms_key_arn /
    master_secret_kms_key_arn (customer managed keys, if any), exactly one of automatically_after_days
    (1-1000) or schedule_expression (+ optional duration), rotate_immediately (default true). Types and
    checks (master_secret_arn required): rotation-function's `secrets`.
  EOT
  type        = any
  default     = {}
  nullable    = false
}
