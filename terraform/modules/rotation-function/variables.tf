# ---------------------------------------------------------------------------------------------
# The function
# ---------------------------------------------------------------------------------------------

variable "name" {
  description = "Name of the Lambda function; also names its role, log group and alarms."
  type        = string

  validation {
    # The longest derived name is the EventBridge rule "<name>-rotation-failed-<n>" (64 at most):
    # 44 + 17 + three digits of n (up to 1000 rules of 15 secrets).
    condition = can(regex("^[A-Za-z0-9_-]{1,44}$", var.name))
    error_message = join(" ", [
      "name must be 1-44 letters, digits, hyphens or underscores: the module derives names of at",
      "most 64 characters from it, the longest being the EventBridge rules",
      "\"<name>-rotation-failed-<n>\".",
    ])
  }
}

variable "rotator" {
  description = <<-EOT
    Rotator package the zip was built from (generic-password, mysql-alternating-users,
    postgres-single-user, api-key); used for the service name in logs and the description.
  EOT
  type        = string

  validation {
    condition = can(regex("^[a-z][a-z0-9-]{0,62}$", var.rotator))
    error_message = join(" ", [
      "rotator must be a package folder name such as \"generic-password\" (lower case letters,",
      "digits, hyphens).",
    ])
  }
}

variable "zip_path" {
  description = <<-EOT
    Path of the built zip, packages/<rotator>/dist/<rotator>.zip (npm run package). Its SHA-256
    becomes source_code_hash, so the function is updated only when the code changes.
  EOT
  type        = string

  validation {
    condition = endswith(var.zip_path, ".zip")
    error_message = join(" ", [
      "zip_path must name a .zip file built by `npm run package`, e.g.",
      "packages/generic-password/dist/generic-password.zip.",
    ])
  }
}

variable "handler" {
  description = "Entry point inside the zip."
  type        = string
  default     = "index.handler"
}

variable "timeout" {
  description = "Timeout of one invocation (one rotation step) in seconds. Must be at least minimum_timeout."
  type        = number
  default     = 60

  validation {
    condition = var.timeout >= var.minimum_timeout && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = join(" ", [
      "timeout must be a whole number of seconds, at most 900, and at least minimum_timeout (the",
      "time the rotator's connection attempts can take, see the rotator module's README).",
    ])
  }
}

variable "minimum_timeout" {
  description = <<-EOT
    Smallest timeout that fits the rotator's worst case (connection attempts x connect timeout + the
    Secrets Manager calls). Set by the rotator modules; timeout is checked against it.
  EOT
  type        = number
  default     = 10

  validation {
    condition     = var.minimum_timeout >= 3 && var.minimum_timeout <= 900
    error_message = "minimum_timeout must be between 3 and 900 seconds."
  }
}

variable "function" {
  description = <<-EOT
    The Lambda function, its role and its logs; every attribute is optional. runtime:
    "nodejs22.x" (the zips are built for Node 22; nodejs24.x needs hashicorp/aws >= 6.19, untested
    here). architecture: "arm64" (default) or "x86_64". memory_size: MB, 128-10240 (256).
    reserved_concurrent_executions: -1 for none (default), 0 stops every invocation.
    environment_kms_key_arn: key of the environment variables (null: the AWS managed key). vpc: {
    subnet_ids, security_group_ids } when the target is only reachable inside a VPC (null: none);
    the subnets need a route to Secrets Manager. secretsmanager_endpoint: SECRETS_MANAGER_ENDPOINT,
    e.g. a VPC endpoint's DNS name or a local emulator ("": the SDK's default). log_level:
    POWERTOOLS_LOG_LEVEL, DEBUG, INFO (default), WARN or ERROR. log_format: "JSON" (default) or
    "Text" (logging_config left unset, for emulators that do not keep it). log_retention_in_days:
    30 (a value CloudWatch accepts; 0 = forever). log_kms_key_arn: key of the log group (its policy
    must let logs.<region>.amazonaws.com use it). permissions_boundary_arn, role_path ("/"): the
    role's. secret_access: "explicit_arns" (default: the rotation actions on the ARNs in
    `secrets` only) or "rotation_lambda_arn" (on any secret of this account and region whose
    rotation function is this one, condition secretsmanager:resource/AllowRotationLambdaArn, so one
    function serves secrets wired in other roots too). extra_kms_key_arns: keys of secrets this
    function rotates but that are wired elsewhere.
  EOT
  type = object({
    runtime                        = optional(string, "nodejs22.x")
    architecture                   = optional(string, "arm64")
    memory_size                    = optional(number, 256)
    reserved_concurrent_executions = optional(number, -1)
    environment_kms_key_arn        = optional(string)
    vpc = optional(object({
      subnet_ids         = list(string)
      security_group_ids = list(string)
    }))
    secretsmanager_endpoint  = optional(string, "")
    log_level                = optional(string, "INFO")
    log_format               = optional(string, "JSON")
    log_retention_in_days    = optional(number, 30)
    log_kms_key_arn          = optional(string)
    permissions_boundary_arn = optional(string)
    role_path                = optional(string, "/")
    secret_access            = optional(string, "explicit_arns")
    extra_kms_key_arns       = optional(list(string), [])
    create_alarms            = optional(bool, true)
    alarm_sns_topic_arn      = optional(string)
    overdue_alarm = optional(object({
      margin_days          = optional(number, 1)
      evaluation_frequency = optional(string, "TwentyFour_Hours")
    }))
    tags = optional(map(string), {})
  })
  default  = {}
  nullable = false

  validation {
    condition = contains(["nodejs22.x"], var.function.runtime)
    error_message = join(" ", [
      "function.runtime must be \"nodejs22.x\": the zips are built for Node 22, and nodejs24.x",
      "needs hashicorp/aws >= 6.19, which these modules are not tested with.",
    ])
  }

  validation {
    condition     = contains(["arm64", "x86_64"], var.function.architecture)
    error_message = "function.architecture must be \"arm64\" or \"x86_64\"."
  }

  validation {
    condition = (
      var.function.memory_size >= 128 && var.function.memory_size <= 10240 &&
      floor(var.function.memory_size) == var.function.memory_size
    )
    error_message = "function.memory_size must be a whole number of MB between 128 and 10240."
  }

  validation {
    condition = (
      var.function.reserved_concurrent_executions >= -1 &&
      floor(var.function.reserved_concurrent_executions) == var.function.reserved_concurrent_executions
    )
    error_message = join(" ", [
      "function.reserved_concurrent_executions must be a whole number >= -1",
      "(-1 means no reservation).",
    ])
  }

  validation {
    condition = alltrue([
      for arn in [var.function.environment_kms_key_arn, var.function.log_kms_key_arn] :
      arn == null || can(regex("^arn:[^:]+:kms:", arn))
    ])
    error_message = join(" ", [
      "function.environment_kms_key_arn and function.log_kms_key_arn must be KMS key ARNs",
      "(arn:aws:kms:...) or null.",
    ])
  }

  validation {
    condition = var.function.vpc == null || (
      length(try(var.function.vpc.subnet_ids, [])) > 0 && length(try(var.function.vpc.security_group_ids, [])) > 0
    )
    error_message = "function.vpc needs at least one subnet id and one security group id (or leave it null)."
  }

  validation {
    condition = (
      var.function.secretsmanager_endpoint == "" || can(regex("^https?://", var.function.secretsmanager_endpoint))
    )
    error_message = join(" ", [
      "function.secretsmanager_endpoint must be empty or an http(s) URL such as",
      "https://vpce-123.secretsmanager.us-east-1.vpce.amazonaws.com.",
    ])
  }

  validation {
    condition     = contains(["DEBUG", "INFO", "WARN", "ERROR"], var.function.log_level)
    error_message = "function.log_level must be one of DEBUG, INFO, WARN, ERROR."
  }

  validation {
    condition     = contains(["JSON", "Text"], var.function.log_format)
    error_message = "function.log_format must be \"JSON\" or \"Text\"."
  }

  validation {
    condition = contains(
      [0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653],
      var.function.log_retention_in_days,
    )
    error_message = join(" ", [
      "function.log_retention_in_days must be a value CloudWatch Logs accepts: 0, 1, 3, 5, 7, 14,",
      "30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653.",
    ])
  }

  validation {
    condition = (
      var.function.permissions_boundary_arn == null ||
      can(regex("^arn:[^:]+:iam::", var.function.permissions_boundary_arn))
    )
    error_message = "function.permissions_boundary_arn must be an IAM policy ARN (arn:aws:iam::...) or null."
  }

  validation {
    condition     = can(regex("^/([\\x21-\\x7E]+/)?$", var.function.role_path))
    error_message = "function.role_path must start and end with \"/\", e.g. \"/rotation/\"."
  }

  validation {
    condition     = contains(["explicit_arns", "rotation_lambda_arn"], var.function.secret_access)
    error_message = "function.secret_access must be \"explicit_arns\" or \"rotation_lambda_arn\"."
  }

  validation {
    condition = alltrue([
      for arn in var.function.extra_kms_key_arns : can(regex("^arn:[^:]+:kms:[^:]+:[0-9]{12}:key/.+$", arn))
    ])
    error_message = join(" ", [
      "function.extra_kms_key_arns must be KMS key ARNs (arn:aws:kms:<region>:<account>:key/<key id>),",
      "not alias ARNs: IAM matches against the key's ARN.",
    ])
  }

  validation {
    condition = (
      var.function.alarm_sns_topic_arn == null || can(regex("^arn:[^:]+:sns:", var.function.alarm_sns_topic_arn))
    )
    error_message = "function.alarm_sns_topic_arn must be an SNS topic ARN (arn:aws:sns:...) or null."
  }

  validation {
    condition = var.function.overdue_alarm == null || try(
      var.function.overdue_alarm.margin_days >= 0 && var.function.overdue_alarm.margin_days <= 365 &&
      floor(var.function.overdue_alarm.margin_days) == var.function.overdue_alarm.margin_days,
      false,
    )
    error_message = "function.overdue_alarm.margin_days must be a whole number of days from 0 to 365."
  }

  validation {
    condition = var.function.overdue_alarm == null || contains(
      ["One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours"],
      try(var.function.overdue_alarm.evaluation_frequency, ""),
    )
    error_message = join(" ", [
      "function.overdue_alarm.evaluation_frequency must be one of One_Hour, Three_Hours,",
      "Six_Hours, Twelve_Hours, TwentyFour_Hours (AWS Config's periods).",
    ])
  }
}

# ---------------------------------------------------------------------------------------------
# Configuration the rotator reads at cold start (set by the rotator modules)
# ---------------------------------------------------------------------------------------------

variable "password_policy" {
  description = <<-EOT
    Passed to GetRandomPassword for every new password (the variables of AWS's own templates:
    PASSWORD_LENGTH, EXCLUDE_*, INCLUDE_SPACE, REQUIRE_EACH_INCLUDED_TYPE). exclude_characters =
    null keeps the rotator's default. null leaves every password variable out (rotators that
    generate no password, such as api-key).
  EOT
  type = object({
    length                     = optional(number, 32)
    exclude_characters         = optional(string)
    exclude_numbers            = optional(bool, false)
    exclude_punctuation        = optional(bool, false)
    exclude_uppercase          = optional(bool, false)
    exclude_lowercase          = optional(bool, false)
    include_space              = optional(bool, false)
    require_each_included_type = optional(bool, true)
  })
  default = {}

  validation {
    condition = var.password_policy == null || try(
      var.password_policy.length >= 4 && var.password_policy.length <= 4096 &&
      floor(var.password_policy.length) == var.password_policy.length,
      false,
    )
    error_message = "password_policy.length must be a whole number between 4 and 4096."
  }

  validation {
    condition = var.password_policy == null || !try(
      var.password_policy.exclude_numbers && var.password_policy.exclude_punctuation &&
      var.password_policy.exclude_uppercase && var.password_policy.exclude_lowercase,
      false,
    )
    error_message = join(" ", [
      "password_policy excludes numbers, punctuation, upper and lower case: nothing is left to",
      "build a password from.",
    ])
  }
}

variable "rotator_environment" {
  description = <<-EOT
    The rotator's own settings as environment variables (the rotator modules fill this from their
    typed inputs).
  EOT
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([
      for key in keys(var.rotator_environment) : can(regex("^[A-Z][A-Z0-9_]*$", key))
    ])
    error_message = "rotator_environment keys must be upper-case environment variable names (A-Z, 0-9, _)."
  }
}

variable "database" {
  description = <<-EOT
    How a rotator that logs in to a database connects (the settings of @rotators/core/db), every
    attribute optional. connect_timeout_seconds: one connection attempt, a whole number from 1 to
    60 (5; CONNECT_TIMEOUT_SECONDS); the rotator modules size their timeout from it. require_tls:
    true (default) for verified TLS on every login, a secret that says "ssl": false being refused;
    false lets such a secret connect in plaintext, with a WARN (REQUIRE_TLS). tls_ca_bundle_path:
    PEM file of the CAs to trust instead of Node's roots + the Amazon RDS bundle shipped in the zip,
    an absolute path inside the function such as /opt/ca.pem from a layer (null: those;
    TLS_CA_BUNDLE_PATH). null (default): the rotator has no database and none of them is set.
  EOT
  type = object({
    connect_timeout_seconds = optional(number, 5)
    require_tls             = optional(bool, true)
    tls_ca_bundle_path      = optional(string)
  })
  default = null

  validation {
    condition = var.database == null || try(
      var.database.connect_timeout_seconds >= 1 && var.database.connect_timeout_seconds <= 60 &&
      floor(var.database.connect_timeout_seconds) == var.database.connect_timeout_seconds,
      false,
    )
    error_message = "database.connect_timeout_seconds must be a whole number from 1 to 60."
  }

  validation {
    condition = (
      try(var.database.tls_ca_bundle_path, null) == null ||
      startswith(coalesce(try(var.database.tls_ca_bundle_path, null), "-"), "/")
    )
    error_message = join(" ", [
      "database.tls_ca_bundle_path must be an absolute path inside the function (e.g. /opt/ca.pem",
      "from a layer) or null.",
    ])
  }
}

# ---------------------------------------------------------------------------------------------
# The secrets this function rotates
# ---------------------------------------------------------------------------------------------

variable "secrets" {
  description = <<-EOT
    Secrets to rotate with this function, by a key of your choice. Each gets an
    aws_secretsmanager_secret_rotation with either automatically_after_days (1-1000) or
    schedule_expression (rate(N hours|days) with N hours >= 4, or cron(...)), an optional duration
    window ("Nh", only with schedule_expression) and rotate_immediately. kms_key_arn: the secret's
    customer managed key, if any. read_secrets: other secrets the function reads for this one
    (GetSecretValue only, never written), each with its customer managed key if any.
    master_secret_arn (and master_secret_kms_key_arn, its key if customer managed): the admin
    secret the secret's "masterarn" names, read like read_secrets and listed in
    MASTER_SECRET_ARNS, the only secrets a wired secret may name as its master; required by the
    rotators whose module sets uses_master_secrets, refused by the others.
  EOT
  type = map(object({
    arn         = string
    kms_key_arn = optional(string)
    read_secrets = optional(list(object({
      arn         = string
      kms_key_arn = optional(string)
    })), [])
    master_secret_arn         = optional(string)
    master_secret_kms_key_arn = optional(string)
    automatically_after_days  = optional(number)
    schedule_expression       = optional(string)
    duration                  = optional(string)
    rotate_immediately        = optional(bool, true)
  }))
  default  = {}
  nullable = false

  validation {
    # The full ARN ends with the six random characters Secrets Manager adds; without them the
    # policy's Resource and the permission's source_arn never match the secret.
    condition = alltrue([
      for s in values(var.secrets) :
      can(regex("^arn:[^:]+:secretsmanager:[^:]+:[0-9]{12}:secret:.+-[A-Za-z0-9]{6}$", s.arn))
    ])
    error_message = join(" ", [
      "secrets[*].arn must be a full secret ARN, ending with the six-character suffix Secrets",
      "Manager adds (arn:aws:secretsmanager:<region>:<account>:secret:<name>-AbCdEf): a partial",
      "ARN never matches in IAM or source_arn.",
    ])
  }

  validation {
    condition = alltrue([
      for s in values(var.secrets) : (s.automatically_after_days == null) != (s.schedule_expression == null)
    ])
    error_message = join(" ", [
      "Each entry of secrets needs exactly one of automatically_after_days or schedule_expression",
      "(Secrets Manager rejects both together, and a rotation needs a schedule).",
    ])
  }

  validation {
    condition = alltrue([for s in values(var.secrets) : s.automatically_after_days == null || try(
      s.automatically_after_days >= 1 && s.automatically_after_days <= 1000 &&
      floor(s.automatically_after_days) == s.automatically_after_days,
      false,
    )])
    error_message = "secrets[*].automatically_after_days must be a whole number of days from 1 to 1000."
  }

  validation {
    condition = alltrue([for s in values(var.secrets) : s.schedule_expression == null || (
      can(regex("^cron\\(.+\\)$", s.schedule_expression)) ||
      try(tonumber(regex("^rate\\(([0-9]+) hours?\\)$", s.schedule_expression)[0]) >= 4, false) ||
      try(tonumber(regex("^rate\\(([0-9]+) days?\\)$", s.schedule_expression)[0]) >= 1, false)
    )])
    error_message = join(" ", [
      "secrets[*].schedule_expression must be rate(N hours) with N >= 4, rate(N days), or",
      "cron(...): Secrets Manager rotates at most every four hours.",
    ])
  }

  validation {
    condition = alltrue([for s in values(var.secrets) : s.duration == null || (s.schedule_expression != null && try(
      tonumber(regex("^([0-9]+)h$", s.duration)[0]) >= 1 && tonumber(regex("^([0-9]+)h$", s.duration)[0]) <= 24,
      false,
    ))])
    error_message = join(" ", [
      "secrets[*].duration must look like \"3h\" (1h-24h) and is only allowed with",
      "schedule_expression.",
    ])
  }

  validation {
    condition = alltrue(flatten([for s in values(var.secrets) : [
      for arn in concat([s.kms_key_arn, s.master_secret_kms_key_arn], [for r in s.read_secrets : r.kms_key_arn]) :
      arn == null || can(regex("^arn:[^:]+:kms:[^:]+:[0-9]{12}:key/.+$", arn))
    ]]))
    error_message = join(" ", [
      "secrets[*].kms_key_arn, secrets[*].master_secret_kms_key_arn and",
      "secrets[*].read_secrets[*].kms_key_arn must be KMS key ARNs",
      "(arn:aws:kms:<region>:<account>:key/<key id>): IAM matches kms:Decrypt against the key's",
      "ARN, so an alias ARN would never match.",
    ])
  }

  validation {
    condition = alltrue(flatten([for s in values(var.secrets) : [
      for arn in concat([for r in s.read_secrets : r.arn], compact([s.master_secret_arn])) :
      can(regex("^arn:[^:]+:secretsmanager:[^:]+:[0-9]{12}:secret:.+-[A-Za-z0-9]{6}$", arn))
    ]]))
    error_message = join(" ", [
      "secrets[*].read_secrets[*].arn and secrets[*].master_secret_arn must be full secret ARNs,",
      "ending with the six-character suffix (…:secret:<name>-AbCdEf).",
    ])
  }

  validation {
    condition = alltrue([
      for s in values(var.secrets) : (var.uses_master_secrets
        ? s.master_secret_arn != null && s.master_secret_arn != s.arn
        : s.master_secret_arn == null
      )
    ])
    error_message = (var.uses_master_secrets
      ? join(" ", [
        "secrets[*].master_secret_arn is required: the admin secret the secret's \"masterarn\" names,",
        "not the rotated secret itself.",
      ])
      : join(" ", [
        "secrets[*].master_secret_arn is only for the rotators with a master secret",
        "(the alternating-users ones); this one never reads it.",
      ])
    )
  }
}

variable "uses_master_secrets" {
  description = <<-EOT
    Set by the rotator modules whose rotator logs in with a master secret (the alternating users):
    every wired secret must then name its master_secret_arn; otherwise none may.
  EOT
  type        = bool
  default     = false
  nullable    = false
}

# ---------------------------------------------------------------------------------------------
# Extra permissions a rotator module needs
# ---------------------------------------------------------------------------------------------

variable "extra_policy_statements" {
  description = <<-EOT
    More IAM statements for the function's role, set by a rotator module for what its rotator calls
    besides Secrets Manager (e.g. rds:DescribeDBClusters). Each: sid (letters and digits), actions,
    resources.
  EOT
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
  }))
  default = []

  validation {
    condition = alltrue([
      for s in var.extra_policy_statements :
      can(regex("^[A-Za-z0-9]+$", s.sid)) && length(s.actions) > 0 && length(s.resources) > 0
    ])
    error_message = join(" ", [
      "extra_policy_statements: each needs a sid of letters and digits, and at least one action",
      "and one resource.",
    ])
  }
}
