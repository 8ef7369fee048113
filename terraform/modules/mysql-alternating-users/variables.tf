variable "name" {
  description = "Name of the rotation function (and prefix of its role, log group and alarms)."
  type        = string
}

variable "zip_path" {
  description = "Path of packages/mysql-alternating-users/dist/mysql-alternating-users.zip (npm run package)."
  type        = string
}

variable "function" {
  description = "Function, role, logs, alarms, tags: any attribute of rotation-function's `function` (see its README)."
  type        = any
  default     = {}
}

variable "timeout" {
  description = <<-EOT
    Timeout of one rotation step in seconds. At least 9 x database.connect_timeout_seconds + 5:
    three logins (pending, current, master; one attempt each, no plaintext retry), one statement
    that stops getting answers (each has a 3 x connect timeout limit), the RDS lookup when
    rds_managed_master is on (3 attempts of the connect timeout), and the Secrets Manager calls.
  EOT
  type        = number
  default     = 60

  validation {
    condition = var.timeout >= local.minimum_timeout && var.timeout <= 900
    error_message = join(" ", [
      "timeout (${var.timeout} s) must be at least 9 x database.connect_timeout_seconds + 5 =",
      "${local.minimum_timeout} s, so that three logins, a statement that hangs until its own time",
      "limit, the RDS lookup and the Secrets Manager calls fit in one step (and at most 900).",
    ])
  }
}

variable "database" {
  description = <<-EOT
    How the function connects to MySQL, every attribute optional: connect_timeout_seconds (one
    connection attempt, 1-60 s, default 5), require_tls (default true: every login uses TLS with the
    certificate and host name verified, and a secret that says "ssl": false is refused; protects the
    passwords against anyone on the network path, including one who claims the server offers no TLS.
    false: a secret (for the master's login, only the master secret) that says "ssl": false connects
    in plaintext, with a WARN; all others still require verified TLS), tls_ca_bundle_path (PEM file
    of the CAs to trust instead of Node's roots + the Amazon RDS bundle shipped in the zip, e.g.
    /opt/ca.pem from a layer; null for those). Types, defaults, checks and environment variables:
    rotation-function's `database`.
  EOT
  type        = any
  default     = {}
  nullable    = false
}

variable "rds_managed_master" {
  description = <<-EOT
    RDS_MANAGED_MASTER. true: a masterarn may name an RDS-managed master secret (rds!..., username
    and password only); its server is found through the RDS API, and the secret's host must be one
    of that cluster's or instance's endpoints. Grants rds:DescribeDBClusters and
    rds:DescribeDBInstances (on *: list calls have no narrower resource). false (default): master
    secrets must name their host.
  EOT
  type        = bool
  default     = false
}

variable "adopt_existing_clone" {
  description = <<-EOT
    ADOPT_EXISTING_CLONE. true: setSecret may take over an existing pending user that the server's
    record (table rotators.accounts) does not show as this secret's, and records it. The one-time
    migration for a pair made by a version without that record whose AWSPREVIOUS no longer logs in
    (pairs in their normal state are recorded without it): set it for one rotation of that secret,
    then back to false (while true, any wired secret may take over the alternate of a user whose
    password its writer knows).
  EOT
  type        = bool
  default     = false
}

variable "username_character_limit" {
  description = <<-EOT
    Longest user name the server allows (USERNAME_CHARACTER_LIMIT): 16 for MySQL < 5.7.8 and Aurora
    MySQL 1.x, 32 for MySQL >= 5.7.8, 80 for MariaDB. Base user names may be 6 shorter (the "_clone"
    suffix).
  EOT
  type        = number
  default     = 32

  validation {
    condition = (
      var.username_character_limit >= 7 && var.username_character_limit <= 255 &&
      floor(var.username_character_limit) == var.username_character_limit
    )
    error_message = "username_character_limit must be a whole number from 7 to 255."
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
    Secrets to rotate, each a MySQL or MariaDB user and its _clone, used in turn, by a key of your
    choice. Secret JSON: engine (mysql | aurora-mysql | mariadb), host, port, username, password,
    dbname, masterarn, ssl (see the package README). Per secret: arn, master_secret_arn (the admin
    secret its "masterarn" field names; the function may read it), kms_key_arn /
    master_secret_kms_key_arn (customer managed keys, if any), exactly one of automatically_after_days
    (1-1000) or schedule_expression (+ optional duration), rotate_immediately (default true). Types and
    checks (master_secret_arn required): rotation-function's `secrets`.
  EOT
  type        = any
  default     = {}
  nullable    = false
}
