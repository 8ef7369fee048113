# Someone is paged when a rotation breaks: the function's own errors, and Secrets Manager's
# RotationFailed events (which also cover failures before the function runs, e.g. a missing
# permission).

locals {
  alarm_actions = var.alarm_sns_topic_arn == null ? [] : [var.alarm_sns_topic_arn]
  # Only secrets wired here; with secret_access = "rotation_lambda_arn" secrets wired elsewhere
  # need a rule of their own.
  watch_rotation_failures = var.create_alarms && length(var.secrets) > 0
}

resource "aws_cloudwatch_metric_alarm" "errors" {
  count = var.create_alarms ? 1 : 0

  alarm_name          = "${var.name}-errors"
  alarm_description   = "The rotation function ${var.name} (${var.rotator}) returned an error: a rotation step failed. See its log group ${aws_cloudwatch_log_group.this.name}."
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
  tags                = var.tags
}

resource "aws_cloudwatch_event_rule" "rotation_failed" {
  count = local.watch_rotation_failures ? 1 : 0

  name        = "${var.name}-rotation-failed"
  description = "Secrets Manager reported RotationFailed for a secret rotated by ${var.name}."
  event_pattern = jsonencode({
    source        = ["aws.secretsmanager"]
    "detail-type" = ["AWS Service Event via CloudTrail"]
    detail = {
      eventSource         = ["secretsmanager.amazonaws.com"]
      eventName           = ["RotationFailed"]
      additionalEventData = { SecretId = local.secret_arns }
    }
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_target" "rotation_failed" {
  count = local.watch_rotation_failures && var.alarm_sns_topic_arn != null ? 1 : 0

  rule      = aws_cloudwatch_event_rule.rotation_failed[0].name
  target_id = "notify"
  arn       = var.alarm_sns_topic_arn
}
