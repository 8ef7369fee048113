# The function's role: least privilege, one statement per concern (each with a Sid the tests target).

# Policies are plain jsonencode() rather than aws_iam_policy_document data sources: the document
# is then computed by Terraform itself, so the offline tests (mock provider) assert the real JSON.
locals {
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "LambdaAssumeRole"
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role" "this" {
  name                 = "${var.name}-rotation"
  path                 = var.function.role_path
  assume_role_policy   = local.assume_role_policy
  permissions_boundary = var.function.permissions_boundary_arn
  tags                 = var.function.tags
}

locals {
  secret_arns = distinct([for s in values(var.secrets) : s.arn])
  # Secrets read for the wired ones (read_secrets and the master secrets), and every key.
  read_secret_arns = distinct(flatten([for s in values(local.secrets) : [for r in s.read_secrets : r.arn]]))
  kms_key_arns = distinct(concat(
    compact(flatten([
      for s in values(local.secrets) : concat([s.kms_key_arn], [for r in s.read_secrets : r.kms_key_arn])
    ])),
    var.function.extra_kms_key_arns,
  ))
  rotation_actions = [
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    # setSecret lists the versions newer than AWSCURRENT that lost their label (an abandoned
    # rotation's), so a single-user rotator can still log in with the password one of them set.
    "secretsmanager:ListSecretVersionIds",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecretVersionStage",
  ]
  ec2_arn = "arn:${local.partition}:ec2:${local.region}:${local.account_id}"
  # Subnets and security groups may belong to another account (a VPC shared through AWS RAM), so
  # their ARNs carry no account.
  ec2_any_account_arn = "arn:${local.partition}:ec2:${local.region}:*"
  # Built from its parts: the function depends on this policy, so it cannot refer back to it.
  # It is the unqualified ARN, the one every wired secret stores as its rotation function.
  function_arn = "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${var.name}"
  # Also built from its parts (equal to aws_cloudwatch_log_group.this.arn), so the whole policy,
  # and its length check, is known at plan time whenever the secrets' ARNs are.
  log_group_arn = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/lambda/${var.name}"
}

locals {
  statements = concat(
    # The rotation actions on the wired secrets only...
    var.function.secret_access == "explicit_arns" && length(local.secret_arns) > 0 ? [{
      Sid      = "RotateWiredSecrets"
      Effect   = "Allow"
      Action   = local.rotation_actions
      Resource = local.secret_arns
    }] : [],
    # ...or on any secret whose configured rotation function is this one.
    var.function.secret_access == "rotation_lambda_arn" ? [{
      Sid       = "RotateSecretsUsingThisFunction"
      Effect    = "Allow"
      Action    = local.rotation_actions
      Resource  = "arn:${local.partition}:secretsmanager:${local.region}:${local.account_id}:secret:*"
      Condition = { StringEquals = { "secretsmanager:resource/AllowRotationLambdaArn" = local.function_arn } }
    }] : [],
    # GetRandomPassword has no resource to scope to. Not granted to rotators that make no
    # password (password_policy = null).
    var.password_policy == null ? [] : [{
      Sid      = "GeneratePasswords"
      Effect   = "Allow"
      Action   = "secretsmanager:GetRandomPassword"
      Resource = "*"
    }],
    # Secrets the rotator reads besides the rotated one (alternating users' master secrets): read,
    # never written.
    length(local.read_secret_arns) > 0 ? [{
      Sid      = "ReadOtherSecrets"
      Effect   = "Allow"
      Action   = "secretsmanager:GetSecretValue"
      Resource = local.read_secret_arns
    }] : [],
    # Customer managed keys of the secrets, usable only through Secrets Manager.
    length(local.kms_key_arns) > 0 ? [{
      Sid      = "DecryptSecretsViaSecretsManager"
      Effect   = "Allow"
      Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
      Resource = local.kms_key_arns
      Condition = {
        StringEquals = { "kms:ViaService" = "secretsmanager.${local.region}.${data.aws_partition.current.dns_suffix}" }
      }
    }] : [],
    [{
      Sid      = "WriteOwnLogs"
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "${local.log_group_arn}:*"
    }],
    # In a VPC, Lambda creates network interfaces as this role: only in the given subnets and
    # security groups (scoping not yet proven on real AWS, see the README). The Describe calls have
    # no resource-level permissions.
    var.function.vpc == null ? [] : [{
      Sid    = "CreateNetworkInterfacesInGivenSubnets"
      Effect = "Allow"
      Action = "ec2:CreateNetworkInterface"
      Resource = concat(
        ["${local.ec2_arn}:network-interface/*"],
        [for id in var.function.vpc.subnet_ids : "${local.ec2_any_account_arn}:subnet/${id}"],
        [for id in var.function.vpc.security_group_ids : "${local.ec2_any_account_arn}:security-group/${id}"],
      )
    }],
    # Every network interface of the account and region, not only the function's: Lambda's
    # documentation warns that a narrower DeleteNetworkInterface can cut the function off its VPC.
    var.function.vpc == null ? [] : [{
      Sid      = "ManageNetworkInterfacesInAccount"
      Effect   = "Allow"
      Action   = ["ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]
      Resource = "${local.ec2_arn}:network-interface/*"
    }],
    var.function.vpc == null ? [] : [{
      Sid    = "DescribeNetworkInterfaces"
      Effect = "Allow"
      # What AWSLambdaVPCAccessExecutionRole grants, no more.
      Action   = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]
      Resource = "*"
    }],
    # What the rotator module asks for besides Secrets Manager (e.g. RDS Describe calls).
    [
      for s in var.extra_policy_statements :
      { Sid = s.sid, Effect = "Allow", Action = s.actions, Resource = s.resources }
    ],
  )
}

locals {
  policy_document = jsonencode({ Version = "2012-10-17", Statement = local.statements })
  # IAM's limit on all inline policies of a role together, counted without whitespace (jsonencode
  # writes none).
  inline_policy_limit = 10240
}

# Inline, attached to this role only: several functions never share one managed policy.
resource "aws_iam_role_policy" "this" {
  name   = "rotation"
  role   = aws_iam_role.this.id
  policy = local.policy_document

  lifecycle {
    # Checked at plan when the ARNs are known, else at apply before the policy is written.
    precondition {
      condition = length(local.policy_document) <= local.inline_policy_limit
      error_message = join(" ", [
        "The role's policy would be ${length(local.policy_document)} characters, over IAM's",
        "${local.inline_policy_limit} for a role's inline policies: it lists every wired secret",
        "ARN. Use secret_access = \"rotation_lambda_arn\" (one statement whatever the number of",
        "secrets), or split the secrets over several functions (see the README's limit).",
      ])
    }
  }
}
