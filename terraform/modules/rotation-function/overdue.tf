# A page when a wired secret has not rotated within its schedule plus a margin (issue #14): the
# failure nobody notices, because a rotation that is never invoked (a deleted permission, rotation
# turned off, a function that cannot start) raises no error and no RotationFailed event.
#
# AWS Config already checks this. Per secret, one managed rule scoped to that secret's ARN:
# - SECRETSMANAGER_SECRET_PERIODIC_ROTATION with maxDaysSinceRotation = the schedule's interval in
#   days + margin_days, for schedules with a whole-day interval (automatically_after_days,
#   rate(N days)). Chosen over SECRETSMANAGER_SCHEDULED_ROTATION_SUCCESS_CHECK because it takes the
#   margin: the latter goes NON_COMPLIANT as soon as the scheduled date passes, which pages for a
#   rotation that merely runs late in its window, and it has no parameter to allow for that.
# - SECRETSMANAGER_SCHEDULED_ROTATION_SUCCESS_CHECK for cron() and rate(N hours) schedules, which
#   have no whole-day interval to add a margin to: Secrets Manager's own schedule decides, no margin.
# One EventBridge rule per 20 Config rules sends their NON_COMPLIANT results to alarm_sns_topic_arn
# (the topic of the other rotation alarms).
#
# Needs AWS Config recording in the account and region; the module does not create the recorder
# (there is one per account and region, usually owned by a security baseline).

locals {
  overdue_on = var.function.overdue_alarm != null && length(var.secrets) > 0

  # Whole days between rotations, or null when the schedule has none.
  overdue_days = { for key, s in var.secrets : key => (
    s.automatically_after_days != null
    ? s.automatically_after_days
    : try(tonumber(regex("^rate\\(([0-9]+) days?\\)$", s.schedule_expression)[0]), null)
  ) }

  overdue_rules = local.overdue_on ? { for key, s in var.secrets : key => {
    arn = s.arn
    # Named by the function and a hash of the key: unique in the account, stable, any key allowed.
    name     = "${var.name}-overdue-${substr(sha256(key), 0, 12)}"
    periodic = local.overdue_days[key] != null
    identifier = (local.overdue_days[key] != null
      ? "SECRETSMANAGER_SECRET_PERIODIC_ROTATION"
      : "SECRETSMANAGER_SCHEDULED_ROTATION_SUCCESS_CHECK"
    )
    max_days = (
      local.overdue_days[key] == null ? null : local.overdue_days[key] + var.function.overdue_alarm.margin_days
    )
  } } : {}

  # An event pattern holds at most 2048 characters: the rule names, 20 to an EventBridge rule
  # (a name is at most 65 characters; 20 of them and the fixed part stay under 1700).
  overdue_names_per_rule = 20
  overdue_chunks = { for i, chunk in chunklist(sort(keys(local.overdue_rules)), local.overdue_names_per_rule) :
    tostring(i) => [for key in chunk : local.overdue_rules[key].name]
  }
  overdue_patterns = { for i, names in local.overdue_chunks : i => jsonencode({
    source        = ["aws.config"]
    "detail-type" = ["Config Rules Compliance Change"]
    detail = {
      messageType         = ["ComplianceChangeNotification"]
      configRuleName      = names
      newEvaluationResult = { complianceType = ["NON_COMPLIANT"] }
    }
  }) }
}

resource "aws_config_config_rule" "overdue" {
  for_each = local.overdue_rules

  name = each.value.name
  # At most 256 characters; the rule's scope names the secret's ARN, the notification carries it too.
  description = (each.value.periodic
    ? join(" ", [
      "Overdue when the secret has not rotated for more than ${each.value.max_days} days",
      "(its schedule + ${var.function.overdue_alarm.margin_days} days). Rotated by ${var.name}.",
      "Find out why: rotators status <the secret's ARN>",
    ])
    : join(" ", [
      "Overdue when the secret missed its scheduled rotation (cron or hourly schedule: Secrets Manager's own,",
      "no margin). Rotated by ${var.name}. Find out why: rotators status <the secret's ARN>",
    ])
  )

  source {
    owner             = "AWS"
    source_identifier = each.value.identifier
  }

  input_parameters = (
    each.value.periodic ? jsonencode({ maxDaysSinceRotation = tostring(each.value.max_days) }) : null
  )
  maximum_execution_frequency = each.value.periodic ? var.function.overdue_alarm.evaluation_frequency : null

  scope {
    compliance_resource_types = ["AWS::SecretsManager::Secret"]
    compliance_resource_id    = each.value.arn
  }

  tags = var.function.tags
}

resource "aws_cloudwatch_event_rule" "overdue" {
  for_each = local.overdue_patterns

  name = "${var.name}-overdue-${each.key}"
  description = join(" ", [
    "AWS Config found a secret rotated by ${var.name} overdue",
    "(rule ${each.key} of ${length(local.overdue_patterns)}).",
  ])
  event_pattern = each.value
  tags          = var.function.tags

  lifecycle {
    precondition {
      condition = length(each.value) <= local.event_pattern_limit
      error_message = join(" ", [
        "The overdue pattern of rule ${each.key} would exceed EventBridge's",
        "${local.event_pattern_limit} characters.",
      ])
    }
  }

  depends_on = [aws_config_config_rule.overdue]
}

resource "aws_cloudwatch_event_target" "overdue" {
  for_each = var.function.alarm_sns_topic_arn == null ? {} : local.overdue_patterns

  rule      = aws_cloudwatch_event_rule.overdue[each.key].name
  target_id = "notify"
  arn       = var.function.alarm_sns_topic_arn
}
