# Someone is paged when a rotation breaks: the function's own errors, Secrets Manager's
# RotationFailed events (which also cover failures before the function runs, e.g. a missing
# permission), and a clean-up that failed after a promotion (which does not fail the function).

locals {
  alarm_actions = var.function.alarm_sns_topic_arn == null ? [] : [var.function.alarm_sns_topic_arn]
  # Only secrets wired here; with secret_access = "rotation_lambda_arn" secrets wired elsewhere
  # need a rule of their own.
  watch_rotation_failures = var.function.create_alarms && length(var.secrets) > 0

  # Chunked by the map's keys, not by the ARNs: keys are known at plan time even when the secrets
  # are created in the same apply, and for_each needs known keys. Sorted, so adding a secret
  # moves as few ARNs between rules as possible.
  rotation_failed_chunks = local.watch_rotation_failures ? {
    for i, chunk in chunklist(sort(keys(var.secrets)), local.rotation_failed_arns_per_rule) :
    tostring(i) => [for key in chunk : var.secrets[key].arn]
  } : {}
  # The pattern with no ARN is 211 characters; each ARN adds its length + 3 (quotes, comma).
  # 15 ARNs of up to 119 characters (secret names up to 59 in us-east-1) stay within 2048.
  rotation_failed_arns_per_rule = 15
  event_pattern_limit           = 2048
  rotation_failed_patterns = { for i, arns in local.rotation_failed_chunks : i => jsonencode({
    source        = ["aws.secretsmanager"]
    "detail-type" = ["AWS Service Event via CloudTrail"]
    detail = {
      eventSource         = ["secretsmanager.amazonaws.com"]
      eventName           = ["RotationFailed"]
      additionalEventData = { SecretId = arns }
    }
  }) }
}

resource "aws_cloudwatch_metric_alarm" "errors" {
  count = var.function.create_alarms ? 1 : 0

  alarm_name = "${var.name}-errors"
  alarm_description = join(" ", [
    "The rotation function ${var.name} (${var.rotator}) returned an error: a rotation step failed.",
    "See its log group ${aws_cloudwatch_log_group.this.name}.",
  ])
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.this.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.function.tags
}

# An event pattern holds at most 2048 characters (EventBridge's default quota), so the wired ARNs
# are spread over several rules, 15 to a rule.
resource "aws_cloudwatch_event_rule" "rotation_failed" {
  for_each = local.rotation_failed_patterns

  name = "${var.name}-rotation-failed-${each.key}"
  description = join(" ", [
    "Secrets Manager reported RotationFailed for a secret rotated by ${var.name}",
    "(rule ${each.key} of ${length(local.rotation_failed_patterns)}).",
  ])
  event_pattern = each.value
  tags          = var.function.tags

  lifecycle {
    precondition {
      condition = length(each.value) <= local.event_pattern_limit
      error_message = join(" ", [
        "The RotationFailed pattern of rule ${each.key} would exceed EventBridge's",
        "${local.event_pattern_limit} characters: 15 secret ARNs per rule fit when each is at most",
        "119 characters (secret names up to 59 in us-east-1). Use shorter secret names, or set",
        "function.create_alarms = false and watch RotationFailed with a rule of your own.",
      ])
    }
  }
}

resource "aws_cloudwatch_event_target" "rotation_failed" {
  for_each = var.function.alarm_sns_topic_arn == null ? {} : local.rotation_failed_patterns

  rule      = aws_cloudwatch_event_rule.rotation_failed[each.key].name
  target_id = "notify"
  arn       = var.function.alarm_sns_topic_arn
}

locals {
  # The ERROR line the engine writes when a rotator's afterFinish fails after AWSCURRENT moved
  # (packages/core/src/steps/finishSecret.ts). The function returns success, so neither the
  # Errors alarm nor RotationFailed sees it, while e.g. unrevoked API keys pile up towards the
  # provider's limit. Literals (the pattern interpolates only the message), so
  # packages/api-key/tests/cleanupAlarm.test.ts can read them and prove the pattern matches the
  # line a real failed clean-up writes.
  cleanup_failed_message = "finishSecret: post-promotion clean-up failed; it runs again at the next rotation"
  cleanup_failed_pattern = "{ ($.level = \"ERROR\") && ($.message = \"${local.cleanup_failed_message}\") }"
  cleanup_failed_metric = {
    namespace = "Rotators/${var.name}"
    name      = "PostPromotionCleanupFailed"
  }
}

# Counts the clean-up failure line in the function's JSON logs (Powertools writes one JSON object a
# line, with "level" and "message", whatever the function's log_format).
resource "aws_cloudwatch_log_metric_filter" "cleanup_failed" {
  count = var.function.create_alarms ? 1 : 0

  name           = "${var.name}-cleanup-failed"
  log_group_name = aws_cloudwatch_log_group.this.name
  pattern        = local.cleanup_failed_pattern

  metric_transformation {
    namespace = local.cleanup_failed_metric.namespace
    name      = local.cleanup_failed_metric.name
    value     = "1"
  }
}

resource "aws_cloudwatch_metric_alarm" "cleanup_failed" {
  count = var.function.create_alarms ? 1 : 0

  alarm_name = "${var.name}-cleanup-failed"
  alarm_description = join(" ", [
    "The rotation function ${var.name} (${var.rotator}) promoted a new secret version, then its",
    "clean-up failed (e.g. old API keys were not revoked); the next rotation retries it. Log line",
    "\"finishSecret: post-promotion clean-up failed\" in ${aws_cloudwatch_log_group.this.name}.",
  ])
  namespace           = local.cleanup_failed_metric.namespace
  metric_name         = local.cleanup_failed_metric.name
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.function.tags

  # The metric exists once the filter does.
  depends_on = [aws_cloudwatch_log_metric_filter.cleanup_failed]
}
