# Offline (mock provider): the metric filter on the clean-up failure line and its alarm, wired to
# the same SNS topic as the other rotation alarms. That the pattern matches the line the engine
# really writes is proven by packages/api-key/tests/cleanupAlarm.test.ts.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name     = "rotator"
  rotator  = "api-key"
  zip_path = "tests/fixtures/placeholder.zip"
  function = { alarm_sns_topic_arn = "arn:aws:sns:us-east-1:123456789012:rotation-alarms" }
  secrets = {
    app = {
      arn                      = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf"
      automatically_after_days = 30
    }
  }
}

run "filter_and_alarm_on_the_cleanup_line" {
  command = apply

  assert {
    condition = (
      aws_cloudwatch_log_metric_filter.cleanup_failed[0].log_group_name == aws_cloudwatch_log_group.this.name
    )
    error_message = "The metric filter must read the function's own log group."
  }

  assert {
    condition = aws_cloudwatch_log_metric_filter.cleanup_failed[0].pattern == join(" ", [
      "{ ($.level = \"ERROR\") && ($.message = \"finishSecret: post-promotion clean-up failed; it runs again at",
      "the next rotation\") }",
    ])
    error_message = join(" ", [
      "The pattern must match the engine's ERROR line exactly",
      "(packages/core/src/steps/finishSecret.ts).",
    ])
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.cleanup_failed[0].namespace ==
      one(aws_cloudwatch_log_metric_filter.cleanup_failed[0].metric_transformation).namespace &&
      aws_cloudwatch_metric_alarm.cleanup_failed[0].metric_name ==
      one(aws_cloudwatch_log_metric_filter.cleanup_failed[0].metric_transformation).name &&
      one(aws_cloudwatch_log_metric_filter.cleanup_failed[0].metric_transformation).value == "1"
    )
    error_message = "The alarm must watch the metric the filter writes (1 per matching line)."
  }

  assert {
    condition = aws_cloudwatch_metric_alarm.cleanup_failed[0].namespace == "Rotators/rotator"
    error_message = join(" ", [
      "Each function counts in a namespace of its own, so one function's failures never page for",
      "another.",
    ])
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.cleanup_failed[0].statistic == "Sum" &&
      aws_cloudwatch_metric_alarm.cleanup_failed[0].comparison_operator == "GreaterThanThreshold" &&
      aws_cloudwatch_metric_alarm.cleanup_failed[0].threshold == 0 &&
      aws_cloudwatch_metric_alarm.cleanup_failed[0].treat_missing_data == "notBreaching"
    )
    error_message = "One failed clean-up is enough to alarm; no logs is not a failure."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.cleanup_failed[0].alarm_actions ==
      aws_cloudwatch_metric_alarm.errors[0].alarm_actions &&
      aws_cloudwatch_metric_alarm.cleanup_failed[0].ok_actions == aws_cloudwatch_metric_alarm.errors[0].ok_actions &&
      aws_cloudwatch_metric_alarm.cleanup_failed[0].alarm_actions == toset([var.function.alarm_sns_topic_arn])
    )
    error_message = "The clean-up alarm must notify the same SNS topic as the other rotation alarms."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.cleanup_failed[0].alarm_name == "rotator-cleanup-failed" &&
      aws_cloudwatch_log_metric_filter.cleanup_failed[0].name == "rotator-cleanup-failed"
    )
    error_message = "The filter and the alarm are named after the function."
  }
}

run "no_topic_records_without_notifying" {
  command = apply

  variables {
    function = { alarm_sns_topic_arn = null }
  }

  assert {
    condition = (
      length(aws_cloudwatch_metric_alarm.cleanup_failed) == 1 &&
      length(aws_cloudwatch_metric_alarm.cleanup_failed[0].alarm_actions) == 0
    )
    error_message = "Without a topic the alarm exists and notifies nobody, like the errors alarm."
  }
}

run "no_alarms" {
  command = apply

  variables {
    function = { create_alarms = false }
  }

  assert {
    condition = (
      length(aws_cloudwatch_log_metric_filter.cleanup_failed) == 0 &&
      length(aws_cloudwatch_metric_alarm.cleanup_failed) == 0
    )
    error_message = "function.create_alarms = false creates neither the filter nor the alarm."
  }
}
