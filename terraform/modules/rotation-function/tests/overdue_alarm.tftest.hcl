# Offline (mock provider): function.overdue_alarm, the page when a wired secret has not rotated
# within its schedule plus a margin — an AWS Config rule scoped to each secret, and EventBridge
# rules sending their NON_COMPLIANT results to the alarms' SNS topic. What AWS Config then
# evaluates is AWS's.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name     = "rotator"
  rotator  = "postgres-single-user"
  zip_path = "tests/fixtures/placeholder.zip"
  function = { alarm_sns_topic_arn = "arn:aws:sns:us-east-1:123456789012:rotation-alarms" }
  secrets = {
    app = { arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf", automatically_after_days = 30 }
    weekly = {
      arn                 = "arn:aws:secretsmanager:us-east-1:123456789012:secret:weekly-GhIjKl"
      schedule_expression = "rate(7 days)"
    }
    monthly = {
      arn                 = "arn:aws:secretsmanager:us-east-1:123456789012:secret:monthly-MnOpQr"
      schedule_expression = "cron(0 16 1 * ? *)"
    }
    hourly = {
      arn                 = "arn:aws:secretsmanager:us-east-1:123456789012:secret:hourly-StUvWx"
      schedule_expression = "rate(6 hours)"
      duration            = "2h"
    }
  }
}

run "off_by_default" {
  command = apply

  assert {
    condition = (
      length(aws_config_config_rule.overdue) == 0 && length(aws_cloudwatch_event_rule.overdue) == 0 &&
      length(aws_cloudwatch_event_target.overdue) == 0
    )
    error_message = "Without function.overdue_alarm the module creates no Config rule and no EventBridge rule."
  }

  assert {
    condition     = output.overdue_config_rule_arns == {} && output.overdue_event_rule_arns == []
    error_message = "The outputs are empty when the alarm is off."
  }
}

run "a_rule_per_secret_with_the_schedule_plus_the_margin" {
  command = apply

  variables {
    function = {
      alarm_sns_topic_arn = "arn:aws:sns:us-east-1:123456789012:rotation-alarms"
      overdue_alarm       = { margin_days = 2 }
    }
  }

  assert {
    condition = (
      length(aws_config_config_rule.overdue) == 4 &&
      alltrue([
        for key, s in var.secrets :
        aws_config_config_rule.overdue[key].scope[0].compliance_resource_id == s.arn &&
        aws_config_config_rule.overdue[key].scope[0].compliance_resource_types == toset(["AWS::SecretsManager::Secret"])
      ])
    )
    error_message = "One Config rule per wired secret, scoped to that secret's ARN alone."
  }

  assert {
    condition = (
      aws_config_config_rule.overdue["app"].source[0].owner == "AWS" &&
      aws_config_config_rule.overdue["app"].source[0].source_identifier == "SECRETSMANAGER_SECRET_PERIODIC_ROTATION" &&
      jsondecode(aws_config_config_rule.overdue["app"].input_parameters) == { maxDaysSinceRotation = "32" } &&
      aws_config_config_rule.overdue["app"].maximum_execution_frequency == "TwentyFour_Hours"
    )
    error_message = join(" ", [
      "Every 30 days + 2 days of margin: AWS's periodic rotation rule with maxDaysSinceRotation",
      "32, evaluated daily.",
    ])
  }

  assert {
    condition = (
      aws_config_config_rule.overdue["weekly"].source[0].source_identifier ==
      "SECRETSMANAGER_SECRET_PERIODIC_ROTATION" &&
      jsondecode(aws_config_config_rule.overdue["weekly"].input_parameters) == { maxDaysSinceRotation = "9" }
    )
    error_message = "rate(7 days) + 2 days of margin: maxDaysSinceRotation 9."
  }

  assert {
    condition = alltrue([for key in ["monthly", "hourly"] : (
      aws_config_config_rule.overdue[key].source[0].source_identifier ==
      "SECRETSMANAGER_SCHEDULED_ROTATION_SUCCESS_CHECK" &&
      aws_config_config_rule.overdue[key].input_parameters == null &&
      aws_config_config_rule.overdue[key].maximum_execution_frequency == null
    )])
    error_message = join(" ", [
      "cron() and hourly rate() schedules have no whole-day interval: AWS's scheduled-rotation",
      "check, which follows the secret's own schedule, without parameters.",
    ])
  }

  assert {
    condition = (
      length(distinct([for r in aws_config_config_rule.overdue : r.name])) == 4 &&
      alltrue([for r in aws_config_config_rule.overdue : can(regex("^rotator-overdue-[0-9a-f]{12}$", r.name))])
    )
    error_message = "Rule names: the function's name and a hash of the secret's key, unique in the account."
  }

  assert {
    condition = (
      strcontains(aws_config_config_rule.overdue["app"].description, "more than 32 days") &&
      strcontains(aws_config_config_rule.overdue["app"].description, "rotators status") &&
      alltrue([for r in aws_config_config_rule.overdue : length(r.description) <= 256])
    )
    error_message = "The rule says what it checks and the command to run."
  }

  assert {
    condition = (
      length(aws_cloudwatch_event_rule.overdue) == 1 &&
      jsondecode(aws_cloudwatch_event_rule.overdue["0"].event_pattern) == {
        source        = ["aws.config"]
        "detail-type" = ["Config Rules Compliance Change"]
        detail = {
          messageType         = ["ComplianceChangeNotification"]
          configRuleName      = [for key in sort(keys(var.secrets)) : aws_config_config_rule.overdue[key].name]
          newEvaluationResult = { complianceType = ["NON_COMPLIANT"] }
        }
      }
    )
    error_message = "One EventBridge rule matching NON_COMPLIANT results of exactly these Config rules."
  }

  assert {
    condition = (
      aws_cloudwatch_event_target.overdue["0"].arn == var.function.alarm_sns_topic_arn &&
      aws_cloudwatch_event_target.overdue["0"].rule == aws_cloudwatch_event_rule.overdue["0"].name
    )
    error_message = "Overdue results go to the same SNS topic as the other rotation alarms."
  }

  assert {
    condition = (
      toset(keys(output.overdue_config_rule_arns)) == toset(keys(var.secrets)) &&
      length(output.overdue_event_rule_arns) == 1
    )
    error_message = "The outputs name each secret's rule and the EventBridge rule."
  }
}

run "no_margin_and_another_period" {
  command = apply

  variables {
    function = {
      alarm_sns_topic_arn = "arn:aws:sns:us-east-1:123456789012:rotation-alarms"
      overdue_alarm       = { margin_days = 0, evaluation_frequency = "Six_Hours" }
    }
  }

  assert {
    condition = (
      jsondecode(aws_config_config_rule.overdue["app"].input_parameters) == { maxDaysSinceRotation = "30" } &&
      aws_config_config_rule.overdue["app"].maximum_execution_frequency == "Six_Hours"
    )
    error_message = "margin_days = 0 checks the schedule itself; the period is the one asked for."
  }
}

run "no_topic_records_without_notifying" {
  command = apply

  variables {
    function = { overdue_alarm = {}, alarm_sns_topic_arn = null }
  }

  assert {
    condition = (
      length(aws_config_config_rule.overdue) == 4 && length(aws_cloudwatch_event_rule.overdue) == 1 &&
      length(aws_cloudwatch_event_target.overdue) == 0
    )
    error_message = "Without a topic the rules exist and notify nobody, like the other alarms."
  }

  assert {
    condition = (
      jsondecode(aws_config_config_rule.overdue["app"].input_parameters) == { maxDaysSinceRotation = "31" }
    )
    error_message = "The default margin is one day."
  }
}

run "many_secrets_spread_over_event_rules" {
  command = apply

  variables {
    function = { alarm_sns_topic_arn = "arn:aws:sns:us-east-1:123456789012:rotation-alarms", overdue_alarm = {} }
    # 45 secrets: three EventBridge rules of at most 20 Config rule names, each pattern under 2048 characters.
    secrets = {
      for i in range(45) : format("s%02d", i) => {
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
      length(aws_config_config_rule.overdue) == 45 && length(aws_cloudwatch_event_rule.overdue) == 3 &&
      length(aws_cloudwatch_event_target.overdue) == 3
    )
    error_message = "45 secrets: 45 Config rules, 3 EventBridge rules with a target each."
  }

  assert {
    condition     = alltrue([for r in aws_cloudwatch_event_rule.overdue : length(r.event_pattern) <= 2048])
    error_message = "Each pattern fits EventBridge's 2048 characters."
  }

  assert {
    condition = sort(flatten([
      for r in aws_cloudwatch_event_rule.overdue : jsondecode(r.event_pattern).detail.configRuleName
    ])) == sort([for r in aws_config_config_rule.overdue : r.name])
    error_message = "Every Config rule is matched by exactly one EventBridge rule."
  }
}

run "bad_margin" {
  command = plan

  variables {
    function = { overdue_alarm = { margin_days = -1 } }
  }

  expect_failures = [var.function]
}

run "bad_period" {
  command = plan

  variables {
    function = { overdue_alarm = { evaluation_frequency = "Daily" } }
  }

  expect_failures = [var.function]
}
