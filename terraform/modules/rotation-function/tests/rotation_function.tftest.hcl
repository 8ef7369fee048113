# Offline (mock provider): the IAM shape, the invoke permission, the wiring of several secrets,
# and the variables that must be refused. `terraform test` in this folder's parent runs it.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name     = "rotator"
  rotator  = "generic-password"
  zip_path = "tests/fixtures/placeholder.zip"
  secrets = {
    app = {
      arn                      = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf"
      kms_key_arn              = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
      automatically_after_days = 30
    }
    reports = {
      arn                 = "arn:aws:secretsmanager:us-east-1:123456789012:secret:reports-GhIjKl"
      schedule_expression = "rate(6 hours)"
      duration            = "2h"
    }
    batch = {
      arn                      = "arn:aws:secretsmanager:us-east-1:123456789012:secret:batch-MnOpQr"
      automatically_after_days = 7
      rotate_immediately       = false
    }
  }
}

run "several_secrets_explicit_arns" {
  command = apply

  # Resource "*" only ever carries actions that have no resource to scope to.
  assert {
    condition = alltrue(flatten([
      for st in jsondecode(aws_iam_role_policy.this.policy).Statement : [
        for action in flatten([st.Action]) :
        action == "secretsmanager:GetRandomPassword" || startswith(action, "ec2:Describe")
      ] if contains(flatten([st.Resource]), "*")
    ]))
    error_message = "A statement grants an action other than GetRandomPassword or ec2:Describe* on \"*\"."
  }

  assert {
    condition = [
      for st in jsondecode(aws_iam_role_policy.this.policy).Statement :
      sort(st.Resource) if st.Sid == "RotateWiredSecrets"
    ] == [sort([for s in values(var.secrets) : s.arn])]
    error_message = "The rotation actions must be granted on exactly the wired secrets' ARNs."
  }

  assert {
    condition = contains(one([
      for st in jsondecode(aws_iam_role_policy.this.policy).Statement : st if st.Sid == "RotateWiredSecrets"
    ]).Action, "secretsmanager:ListSecretVersionIds")
    error_message = join(" ", [
      "setSecret lists versions without a label (core's newerUnlabelled): ListSecretVersionIds",
      "must be granted on the wired secrets.",
    ])
  }

  assert {
    condition = length([
      for st in jsondecode(aws_iam_role_policy.this.policy).Statement : st
      if anytrue([
        for action in flatten([st.Action]) :
        contains(["secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"], action)
      ])
    ]) == 1
    error_message = "Only one statement may grant the Secrets Manager write actions."
  }

  assert {
    condition = one([
      for st in jsondecode(aws_iam_role_policy.this.policy).Statement :
      st if st.Sid == "DecryptSecretsViaSecretsManager"
    ]).Condition.StringEquals["kms:ViaService"] == "secretsmanager.us-east-1.amazonaws.com"
    error_message = "KMS use must be limited to Secrets Manager in the region (kms:ViaService)."
  }

  assert {
    condition = one([
      for st in jsondecode(aws_iam_role_policy.this.policy).Statement :
      st if st.Sid == "DecryptSecretsViaSecretsManager"
    ]).Resource == ["arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"]
    error_message = "KMS permissions must name the secrets' keys only."
  }

  assert {
    condition = one([
      for st in jsondecode(aws_iam_role_policy.this.policy).Statement : st if st.Sid == "WriteOwnLogs"
    ]).Resource == "${aws_cloudwatch_log_group.this.arn}:*"
    error_message = "Logs may be written to the function's own log group only."
  }

  assert {
    condition = length([
      for st in jsondecode(aws_iam_role_policy.this.policy).Statement :
      st if startswith(st.Sid, "ReadOther") || strcontains(st.Sid, "NetworkInterfaces")
    ]) == 0
    error_message = "No statement for other secrets or network interfaces without read_secrets or a VPC."
  }

  assert {
    condition = (
      length(aws_lambda_permission.secret) == 3 &&
      alltrue([
        for key, p in aws_lambda_permission.secret :
        p.principal == "secretsmanager.amazonaws.com" && p.source_account == "123456789012" &&
        p.source_arn == var.secrets[key].arn
      ])
    )
    error_message = "Each secret gets its own invoke permission, with source_arn (that secret) and source_account."
  }

  assert {
    condition = (
      length(distinct([for p in aws_lambda_permission.secret : p.statement_id])) == 3 &&
      length(aws_lambda_permission.account) == 0
    )
    error_message = "Distinct statement ids, and no account-wide permission while the secrets are explicit."
  }

  assert {
    condition = (
      length(aws_secretsmanager_secret_rotation.this) == 3 &&
      alltrue([
        for key, r in aws_secretsmanager_secret_rotation.this :
        r.secret_id == var.secrets[key].arn && r.rotation_lambda_arn == aws_lambda_function.this.arn
      ])
    )
    error_message = "Every secret of the map must be wired to this function."
  }

  assert {
    condition = (
      aws_secretsmanager_secret_rotation.this["app"].rotation_rules[0].automatically_after_days == 30 &&
      aws_secretsmanager_secret_rotation.this["app"].rotate_immediately
    )
    error_message = "app: rotation every 30 days, immediately."
  }

  assert {
    condition = (
      aws_secretsmanager_secret_rotation.this["reports"].rotation_rules[0].schedule_expression == "rate(6 hours)" &&
      aws_secretsmanager_secret_rotation.this["reports"].rotation_rules[0].duration == "2h"
    )
    error_message = "reports: schedule expression and window."
  }

  assert {
    condition = (
      aws_secretsmanager_secret_rotation.this["batch"].rotation_rules[0].automatically_after_days == 7 &&
      !aws_secretsmanager_secret_rotation.this["batch"].rotate_immediately
    )
    error_message = "batch: every 7 days, not immediately."
  }

  assert {
    condition = (
      aws_lambda_function.this.runtime == "nodejs22.x" && aws_lambda_function.this.architectures == tolist(["arm64"]) &&
      aws_lambda_function.this.handler == "index.handler" && aws_lambda_function.this.timeout == 60 &&
      aws_lambda_function.this.logging_config[0].log_format == "JSON" &&
      aws_lambda_function.this.logging_config[0].log_group == aws_cloudwatch_log_group.this.name &&
      aws_lambda_function.this.source_code_hash == filebase64sha256("tests/fixtures/placeholder.zip")
    )
    error_message = join(" ", [
      "Function defaults: nodejs22.x on arm64, index.handler, 60 s, JSON logs to its own group,",
      "hash of the zip.",
    ])
  }

  assert {
    condition = aws_lambda_function.this.environment[0].variables == tomap({
      PASSWORD_LENGTH            = "32"
      EXCLUDE_NUMBERS            = "false"
      EXCLUDE_PUNCTUATION        = "false"
      EXCLUDE_UPPERCASE          = "false"
      EXCLUDE_LOWERCASE          = "false"
      INCLUDE_SPACE              = "false"
      REQUIRE_EACH_INCLUDED_TYPE = "true"
      POWERTOOLS_SERVICE_NAME    = "generic-password"
      POWERTOOLS_LOG_LEVEL       = "INFO"
    })
    error_message = "Default environment: the password policy's defaults and Powertools settings, no endpoint."
  }

  assert {
    condition     = length(aws_lambda_function.this.vpc_config) == 0
    error_message = "No VPC unless asked for."
  }

  assert {
    condition = (
      aws_cloudwatch_log_group.this.name == "/aws/lambda/rotator" &&
      aws_cloudwatch_log_group.this.retention_in_days == 30
    )
    error_message = "Log group named after the function, 30 days retention."
  }

  assert {
    condition = (
      jsondecode(aws_cloudwatch_event_rule.rotation_failed["0"].event_pattern).detail.eventName == ["RotationFailed"] &&
      sort(
        jsondecode(aws_cloudwatch_event_rule.rotation_failed["0"].event_pattern).detail.additionalEventData.SecretId
      ) == sort([for s in values(var.secrets) : s.arn])
    )
    error_message = "The RotationFailed rule must match the wired secrets."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.errors[0].dimensions.FunctionName == "rotator" &&
      length(aws_cloudwatch_event_target.rotation_failed) == 0 &&
      length(aws_cloudwatch_metric_alarm.errors[0].alarm_actions) == 0
    )
    error_message = "Alarms exist without a topic and notify nobody."
  }
}

run "one_secret_gets_source_arn" {
  command = apply

  variables {
    secrets = {
      only = { arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:only-StUvWx", automatically_after_days = 1 }
    }
  }

  assert {
    condition = (
      aws_lambda_permission.secret["only"].source_arn ==
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:only-StUvWx" &&
      aws_lambda_permission.secret["only"].source_account == "123456789012"
    )
    error_message = "A function dedicated to one secret is invocable for that secret only."
  }
}

run "rotation_lambda_arn_scoping" {
  command = apply

  variables {
    function = { secret_access = "rotation_lambda_arn" }
    secrets = {
      only = { arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:only-StUvWx", automatically_after_days = 1 }
    }
  }

  assert {
    condition = one([
      for st in jsondecode(aws_iam_role_policy.this.policy).Statement : st if st.Sid == "RotateSecretsUsingThisFunction"
    ]).Condition.StringEquals["secretsmanager:resource/AllowRotationLambdaArn"] == aws_lambda_function.this.arn
    error_message = "The rotation actions must be conditioned on AllowRotationLambdaArn = this function's ARN."
  }

  assert {
    condition = one([
      for st in jsondecode(aws_iam_role_policy.this.policy).Statement : st if st.Sid == "RotateSecretsUsingThisFunction"
    ]).Resource == "arn:aws:secretsmanager:us-east-1:123456789012:secret:*"
    error_message = "AllowRotationLambdaArn scoping covers this account and region's secrets."
  }

  assert {
    condition = length([
      for st in jsondecode(aws_iam_role_policy.this.policy).Statement : st if st.Sid == "RotateWiredSecrets"
    ]) == 0
    error_message = "No explicit-ARN statement in rotation_lambda_arn mode."
  }

  assert {
    condition = alltrue(flatten([
      for st in jsondecode(aws_iam_role_policy.this.policy).Statement : [
        for action in flatten([st.Action]) :
        action == "secretsmanager:GetRandomPassword" || startswith(action, "ec2:Describe")
      ] if contains(flatten([st.Resource]), "*")
    ]))
    error_message = join(" ", [
      "In rotation_lambda_arn mode, still no action other than GetRandomPassword or ec2:Describe*",
      "on \"*\".",
    ])
  }

  assert {
    condition = (
      length(aws_lambda_permission.secret) == 0 && aws_lambda_permission.account[0].source_arn == null &&
      aws_lambda_permission.account[0].source_account == "123456789012"
    )
    error_message = "In rotation_lambda_arn mode (secrets wired in other roots) the permission is limited by account."
  }
}

run "read_secret_vpc_and_settings" {
  command = apply

  variables {
    rotator         = "mysql-alternating-users"
    timeout         = 45
    minimum_timeout = 40
    password_policy = { length = 40, exclude_characters = "/@\"'\\:", exclude_punctuation = true }
    rotator_environment = {
      CONNECT_TIMEOUT_SECONDS = "5"
    }
    function = {
      secretsmanager_endpoint = "https://vpce-1.secretsmanager.us-east-1.vpce.amazonaws.com"
      vpc                     = { subnet_ids = ["subnet-1", "subnet-2"], security_group_ids = ["sg-1"] }
      alarm_sns_topic_arn     = "arn:aws:sns:us-east-1:123456789012:pager"
    }
    secrets = {
      app = {
        arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf"
        read_secrets = [
          {
            arn         = "arn:aws:secretsmanager:us-east-1:123456789012:secret:admin-ZzYyXx"
            kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/admin-key"
          },
        ]
        automatically_after_days = 30
      }
    }
  }

  assert {
    condition = one([
      for st in jsondecode(aws_iam_role_policy.this.policy).Statement : st if st.Sid == "ReadOtherSecrets"
      ]) == {
      Sid      = "ReadOtherSecrets"
      Effect   = "Allow"
      Action   = "secretsmanager:GetSecretValue"
      Resource = ["arn:aws:secretsmanager:us-east-1:123456789012:secret:admin-ZzYyXx"]
    }
    error_message = join(" ", [
      "The secret in read_secrets (an alternating-users master) is readable, GetSecretValue only,",
      "and nothing more.",
    ])
  }

  assert {
    condition = one([
      for st in jsondecode(aws_iam_role_policy.this.policy).Statement :
      st if st.Sid == "DecryptSecretsViaSecretsManager"
    ]).Resource == ["arn:aws:kms:us-east-1:123456789012:key/admin-key"]
    error_message = "The read secret's key is usable through Secrets Manager."
  }

  assert {
    condition = sort(one([
      for st in jsondecode(aws_iam_role_policy.this.policy).Statement :
      st if st.Sid == "CreateNetworkInterfacesInGivenSubnets"
      ]).Resource) == sort([
      "arn:aws:ec2:us-east-1:123456789012:network-interface/*",
      "arn:aws:ec2:us-east-1:*:subnet/subnet-1",
      "arn:aws:ec2:us-east-1:*:subnet/subnet-2",
      "arn:aws:ec2:us-east-1:*:security-group/sg-1",
    ])
    error_message = join(" ", [
      "Network interfaces only in the given subnets and security groups, whichever account owns",
      "them (shared VPCs).",
    ])
  }

  assert {
    condition = one([
      for st in jsondecode(aws_iam_role_policy.this.policy).Statement : st if st.Sid == "DescribeNetworkInterfaces"
    ]).Action == ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]
    error_message = "Describe actions: only those of AWSLambdaVPCAccessExecutionRole."
  }

  assert {
    condition = one([
      for st in jsondecode(aws_iam_role_policy.this.policy).Statement :
      st if st.Sid == "ManageNetworkInterfacesInAccount"
    ]).Resource == "arn:aws:ec2:us-east-1:123456789012:network-interface/*"
    error_message = "Deleting and re-addressing network interfaces covers the account's interfaces in the region."
  }

  assert {
    condition = alltrue(flatten([
      for st in jsondecode(aws_iam_role_policy.this.policy).Statement : [
        for action in flatten([st.Action]) :
        action == "secretsmanager:GetRandomPassword" || startswith(action, "ec2:Describe")
      ] if contains(flatten([st.Resource]), "*")
    ]))
    error_message = join(" ", [
      "With a VPC and a read secret, still no action other than GetRandomPassword or ec2:Describe*",
      "on \"*\".",
    ])
  }

  assert {
    condition = (
      aws_lambda_function.this.vpc_config[0].subnet_ids == toset(["subnet-1", "subnet-2"]) &&
      aws_lambda_function.this.vpc_config[0].security_group_ids == toset(["sg-1"])
    )
    error_message = "The function is placed in the VPC."
  }

  assert {
    condition = (
      aws_lambda_function.this.environment[0].variables.PASSWORD_LENGTH == "40" &&
      aws_lambda_function.this.environment[0].variables.EXCLUDE_CHARACTERS == "/@\"'\\:" &&
      aws_lambda_function.this.environment[0].variables.EXCLUDE_PUNCTUATION == "true" &&
      aws_lambda_function.this.environment[0].variables.CONNECT_TIMEOUT_SECONDS == "5" &&
      aws_lambda_function.this.environment[0].variables.SECRETS_MANAGER_ENDPOINT ==
      "https://vpce-1.secretsmanager.us-east-1.vpce.amazonaws.com"
    )
    error_message = "Password policy, rotator settings and endpoint reach the environment."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.errors[0].alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:pager"]) &&
      aws_cloudwatch_event_target.rotation_failed["0"].arn == "arn:aws:sns:us-east-1:123456789012:pager"
    )
    error_message = "Both alarms notify the topic."
  }
}

run "no_password_policy" {
  command = apply

  variables {
    rotator         = "api-key"
    password_policy = null
    rotator_environment = {
      API_PROVIDER = "generic"
    }
  }

  assert {
    condition = (
      length([
        for key in keys(aws_lambda_function.this.environment[0].variables) : key
        if startswith(key, "PASSWORD_") || startswith(key, "EXCLUDE_") || key == "INCLUDE_SPACE" ||
        key == "REQUIRE_EACH_INCLUDED_TYPE"
      ]) == 0 &&
      aws_lambda_function.this.environment[0].variables.API_PROVIDER == "generic"
    )
    error_message = "Without a password policy no password variable is set."
  }

  assert {
    condition = length([
      for st in jsondecode(aws_iam_role_policy.this.policy).Statement :
      st if contains(flatten([st.Action]), "secretsmanager:GetRandomPassword")
    ]) == 0
    error_message = "A rotator that makes no password gets no GetRandomPassword."
  }
}

run "many_secrets_spread_over_rules" {
  command = apply

  variables {
    function = { alarm_sns_topic_arn = "arn:aws:sns:us-east-1:123456789012:pager" }
    # 30 secrets with 59-character names (ARNs of 119 characters, the longest that fit 15 to a rule).
    secrets = {
      for i in range(30) : format("s%02d", i) => {
        arn = format(
          "arn:aws:secretsmanager:us-east-1:123456789012:secret:%s-AbCdEf",
          format("%s%02d", join("", [for n in range(57) : "x"]), i),
        )
        automatically_after_days = 30
      }
    }
  }

  assert {
    condition = (
      length(aws_cloudwatch_event_rule.rotation_failed) == 2 && length(aws_cloudwatch_event_target.rotation_failed) == 2
    )
    error_message = "30 secrets need two RotationFailed rules (15 each), each with a target."
  }

  assert {
    condition     = alltrue([for r in aws_cloudwatch_event_rule.rotation_failed : length(r.event_pattern) <= 2048])
    error_message = "Every RotationFailed pattern must stay within EventBridge's 2048 characters."
  }

  assert {
    condition = sort(flatten([
      for r in aws_cloudwatch_event_rule.rotation_failed :
      jsondecode(r.event_pattern).detail.additionalEventData.SecretId
    ])) == sort([for s in values(var.secrets) : s.arn])
    error_message = "Together the rules match every wired secret, each once."
  }

  assert {
    condition = (
      sort([for r in aws_cloudwatch_event_rule.rotation_failed : r.name]) ==
      tolist(["rotator-rotation-failed-0", "rotator-rotation-failed-1"]) &&
      alltrue([
        for k, t in aws_cloudwatch_event_target.rotation_failed :
        t.rule == aws_cloudwatch_event_rule.rotation_failed[k].name
      ])
    )
    error_message = "Rules named <name>-rotation-failed-<n>, each with its own target."
  }
}

run "pattern_too_long_is_refused" {
  command = plan

  variables {
    # 15 ARNs of 130 characters: over 2048 in one rule.
    secrets = {
      for i in range(15) : format("s%02d", i) => {
        arn = format(
          "arn:aws:secretsmanager:us-east-1:123456789012:secret:%s-AbCdEf",
          format("%s%02d", join("", [for n in range(69) : "x"]), i),
        )
        automatically_after_days = 30
      }
    }
  }

  expect_failures = [aws_cloudwatch_event_rule.rotation_failed["0"]]
}

run "policy_over_the_inline_limit_is_refused" {
  command = plan

  variables {
    # 90 secrets of 119-character ARNs: over 10,000 characters of ARNs alone.
    function = { create_alarms = false }
    secrets = {
      for i in range(90) : format("s%02d", i) => {
        arn = format(
          "arn:aws:secretsmanager:us-east-1:123456789012:secret:%s-AbCdEf",
          format("%s%02d", join("", [for n in range(57) : "x"]), i),
        )
        automatically_after_days = 30
      }
    }
  }

  expect_failures = [aws_iam_role_policy.this]
}

run "kms_via_service_follows_the_partition" {
  command = apply

  override_data {
    target = data.aws_partition.current
    values = { partition = "aws-cn", dns_suffix = "amazonaws.com.cn" }
  }
  override_data {
    target = data.aws_region.current
    values = { name = "cn-north-1" }
  }

  variables {
    secrets = {
      app = {
        arn                      = "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:app-AbCdEf"
        kms_key_arn              = "arn:aws-cn:kms:cn-north-1:123456789012:key/11111111-2222-3333-4444-555555555555"
        automatically_after_days = 30
      }
    }
  }

  assert {
    condition = one([
      for st in jsondecode(aws_iam_role_policy.this.policy).Statement :
      st if st.Sid == "DecryptSecretsViaSecretsManager"
    ]).Condition.StringEquals["kms:ViaService"] == "secretsmanager.cn-north-1.amazonaws.com.cn"
    error_message = "kms:ViaService must use the partition's DNS suffix (amazonaws.com.cn in China)."
  }
}
