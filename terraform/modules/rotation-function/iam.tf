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
  path                 = var.role_path
  assume_role_policy   = local.assume_role_policy
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags
}

locals {
  secret_arns        = distinct([for s in values(var.secrets) : s.arn])
  master_secret_arns = distinct(compact([for s in values(var.secrets) : s.master_secret_arn]))
  kms_key_arns = distinct(concat(
    compact(flatten([for s in values(var.secrets) : [s.kms_key_arn, s.master_secret_kms_key_arn]])),
    var.extra_kms_key_arns,
  ))
  rotation_actions = [
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecretVersionStage",
  ]
  ec2_arn = "arn:${local.partition}:ec2:${local.region}:${local.account_id}"
  # Built from its parts: the function depends on this policy, so it cannot refer back to it.
  # It is the unqualified ARN, the one every wired secret stores as its rotation function.
  function_arn = "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${var.name}"
}

locals {
  statements = concat(
    # The four rotation actions on the wired secrets only...
    var.secret_access == "explicit_arns" && length(local.secret_arns) > 0 ? [{
      Sid      = "RotateWiredSecrets"
      Effect   = "Allow"
      Action   = local.rotation_actions
      Resource = local.secret_arns
    }] : [],
    # ...or on any secret whose configured rotation function is this one.
    var.secret_access == "rotation_lambda_arn" ? [{
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
    # Alternating users: the admin secret is read, never written.
    length(local.master_secret_arns) > 0 ? [{
      Sid      = "ReadMasterSecrets"
      Effect   = "Allow"
      Action   = "secretsmanager:GetSecretValue"
      Resource = local.master_secret_arns
    }] : [],
    # Customer managed keys of the secrets, usable only through Secrets Manager.
    length(local.kms_key_arns) > 0 ? [{
      Sid       = "DecryptSecretsViaSecretsManager"
      Effect    = "Allow"
      Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
      Resource  = local.kms_key_arns
      Condition = { StringEquals = { "kms:ViaService" = "secretsmanager.${local.region}.amazonaws.com" } }
    }] : [],
    [{
      Sid      = "WriteOwnLogs"
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "${aws_cloudwatch_log_group.this.arn}:*"
    }],
    # In a VPC, Lambda creates network interfaces as this role: only in the given subnets and
    # security groups. The Describe calls have no resource-level permissions.
    var.vpc == null ? [] : [{
      Sid    = "CreateNetworkInterfacesInGivenSubnets"
      Effect = "Allow"
      Action = "ec2:CreateNetworkInterface"
      Resource = concat(
        ["${local.ec2_arn}:network-interface/*"],
        [for id in var.vpc.subnet_ids : "${local.ec2_arn}:subnet/${id}"],
        [for id in var.vpc.security_group_ids : "${local.ec2_arn}:security-group/${id}"],
      )
    }],
    var.vpc == null ? [] : [{
      Sid      = "ManageOwnNetworkInterfaces"
      Effect   = "Allow"
      Action   = ["ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]
      Resource = "${local.ec2_arn}:network-interface/*"
    }],
    var.vpc == null ? [] : [{
      Sid      = "DescribeNetworkInterfaces"
      Effect   = "Allow"
      Action   = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"]
      Resource = "*"
    }],
  )
}

# Inline, attached to this role only: several functions never share one managed policy.
resource "aws_iam_role_policy" "this" {
  name   = "rotation"
  role   = aws_iam_role.this.id
  policy = jsonencode({ Version = "2012-10-17", Statement = local.statements })
}
