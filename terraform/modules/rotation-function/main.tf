# One Lambda rotation function built from a rotator package's zip, its log group, the permission
# that lets Secrets Manager invoke it, and the rotation schedule of every secret it serves.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  policy = var.password_policy

  # The names AWS's own rotation templates read, so the functions are drop-in familiar.
  password_environment = local.policy == null ? {} : merge(
    {
      PASSWORD_LENGTH            = tostring(local.policy.length)
      EXCLUDE_NUMBERS            = tostring(local.policy.exclude_numbers)
      EXCLUDE_PUNCTUATION        = tostring(local.policy.exclude_punctuation)
      EXCLUDE_UPPERCASE          = tostring(local.policy.exclude_uppercase)
      EXCLUDE_LOWERCASE          = tostring(local.policy.exclude_lowercase)
      INCLUDE_SPACE              = tostring(local.policy.include_space)
      REQUIRE_EACH_INCLUDED_TYPE = tostring(local.policy.require_each_included_type)
    },
    # Left out when null, so the rotator keeps its own default (PostgreSQL also excludes ":").
    local.policy.exclude_characters == null ? {} : { EXCLUDE_CHARACTERS = local.policy.exclude_characters },
  )

  # A secret's master (the admin secret its "masterarn" names) is one more secret it reads, and the
  # masters are the only secrets a wired secret may name (MASTER_SECRET_ARNS): the function's
  # configuration decides whose credential is used, not whoever can write the secret.
  secrets = { for key, s in var.secrets : key => merge(s, {
    read_secrets = concat(
      s.read_secrets,
      s.master_secret_arn == null ? [] : [{ arn = s.master_secret_arn, kms_key_arn = s.master_secret_kms_key_arn }],
    )
  }) }
  master_secret_arns = sort(distinct(compact([for s in values(var.secrets) : s.master_secret_arn])))

  # core's database settings, for rotators that log in to a database.
  database_environment = var.database == null ? {} : merge(
    {
      CONNECT_TIMEOUT_SECONDS = tostring(var.database.connect_timeout_seconds)
      REQUIRE_TLS             = tostring(var.database.require_tls)
    },
    var.database.tls_ca_bundle_path == null ? {} : { TLS_CA_BUNDLE_PATH = var.database.tls_ca_bundle_path },
  )

  environment = merge(
    local.password_environment,
    local.database_environment,
    length(local.master_secret_arns) == 0 ? {} : { MASTER_SECRET_ARNS = join(",", local.master_secret_arns) },
    var.function.secretsmanager_endpoint == "" ? {} : {
      SECRETS_MANAGER_ENDPOINT = var.function.secretsmanager_endpoint
    },
    {
      POWERTOOLS_SERVICE_NAME = var.rotator
      POWERTOOLS_LOG_LEVEL    = var.function.log_level
    },
    var.rotator_environment,
  )

  # Secrets Manager may invoke the function for the secrets wired here, each named by source_arn
  # (with source_account against the confused deputy). Only in rotation_lambda_arn mode, where other
  # roots wire secrets this module never sees, is the permission the account's.
  invoke_per_secret = var.function.secret_access == "explicit_arns"
}

resource "aws_cloudwatch_log_group" "this" {
  # Created before the function, so Lambda never creates it itself without retention.
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.function.log_retention_in_days
  kms_key_id        = var.function.log_kms_key_arn
  tags              = var.function.tags
}

resource "aws_lambda_function" "this" {
  function_name    = var.name
  description      = "Secrets Manager rotation: ${var.rotator}"
  role             = aws_iam_role.this.arn
  filename         = var.zip_path
  source_code_hash = filebase64sha256(var.zip_path)
  handler          = var.handler
  runtime          = var.function.runtime
  architectures    = [var.function.architecture]
  memory_size      = var.function.memory_size
  timeout          = var.timeout
  kms_key_arn      = var.function.environment_kms_key_arn

  reserved_concurrent_executions = var.function.reserved_concurrent_executions

  environment {
    variables = local.environment
  }

  # "Text" leaves the block out: Lambda then uses its defaults (the same log group, plain lines
  # around the function's own JSON lines).
  dynamic "logging_config" {
    for_each = var.function.log_format == "JSON" ? [1] : []
    content {
      log_format = "JSON"
      log_group  = aws_cloudwatch_log_group.this.name
    }
  }

  dynamic "vpc_config" {
    for_each = var.function.vpc == null ? [] : [var.function.vpc]
    content {
      subnet_ids         = vpc_config.value.subnet_ids
      security_group_ids = vpc_config.value.security_group_ids
    }
  }

  tags = var.function.tags

  # The role must be able to write logs (and create network interfaces) from the first cold start.
  depends_on = [aws_iam_role_policy.this]
}

resource "aws_lambda_permission" "secret" {
  for_each = local.invoke_per_secret ? var.secrets : {}

  # Statement ids allow [A-Za-z0-9_-]; the key's hash keeps them valid and stable for any key.
  statement_id   = "SecretsManager-${substr(sha256(each.key), 0, 16)}"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.this.function_name
  principal      = "secretsmanager.amazonaws.com"
  source_account = local.account_id
  source_arn     = each.value.arn
}

resource "aws_lambda_permission" "account" {
  count = local.invoke_per_secret ? 0 : 1

  statement_id   = "AllowSecretsManagerInvoke"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.this.function_name
  principal      = "secretsmanager.amazonaws.com"
  source_account = local.account_id
}

resource "aws_secretsmanager_secret_rotation" "this" {
  for_each = var.secrets

  secret_id           = each.value.arn
  rotation_lambda_arn = aws_lambda_function.this.arn
  rotate_immediately  = each.value.rotate_immediately

  rotation_rules {
    automatically_after_days = each.value.automatically_after_days
    schedule_expression      = each.value.schedule_expression
    duration                 = each.value.duration
  }

  # Secrets Manager checks, when rotation is turned on, that it may invoke the function, and the
  # first rotation may start at once: the permission and the role's policy must exist before.
  depends_on = [aws_lambda_permission.secret, aws_lambda_permission.account, aws_iam_role_policy.this]
}
