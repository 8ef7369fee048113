output "function_arn" {
  description = "ARN of the rotation function (the rotation_lambda_arn of every wired secret)."
  value       = aws_lambda_function.this.arn
}

output "function_name" {
  description = "Name of the rotation function."
  value       = aws_lambda_function.this.function_name
}

output "role_arn" {
  description = "ARN of the function's IAM role (for key policies and resource policies)."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the function's IAM role."
  value       = aws_iam_role.this.name
}

output "log_group_name" {
  description = "CloudWatch log group of the function (JSON logs)."
  value       = aws_cloudwatch_log_group.this.name
}

output "environment" {
  description = "Environment variables the function runs with (no secrets in them)."
  value       = local.environment
}

output "rotated_secret_arns" {
  description = "ARN of each wired secret, by the key given in `secrets`."
  value       = { for key, rotation in aws_secretsmanager_secret_rotation.this : key => rotation.secret_id }
}

output "errors_alarm_arn" {
  description = "ARN of the alarm on the function's errors (null when function.create_alarms = false)."
  value       = try(aws_cloudwatch_metric_alarm.errors[0].arn, null)
}

output "rotation_failed_rule_arns" {
  description = <<-EOT
    ARNs of the EventBridge rules matching RotationFailed for the wired secrets (15 secrets to a
    rule, in the order of the sorted keys of secrets; empty when there is none).
  EOT
  value = [
    for i in range(length(aws_cloudwatch_event_rule.rotation_failed)) :
    aws_cloudwatch_event_rule.rotation_failed[tostring(i)].arn
  ]
}

output "cleanup_failed_alarm_arn" {
  description = <<-EOT
    ARN of the alarm on post-promotion clean-up failures (the engine's ERROR line after AWSCURRENT
    moved, e.g. old API keys not revoked; null when function.create_alarms = false).
  EOT
  value       = try(aws_cloudwatch_metric_alarm.cleanup_failed[0].arn, null)
}

output "overdue_config_rule_arns" {
  description = <<-EOT
    ARN of the AWS Config rule that finds each wired secret overdue, by the key given in `secrets`
    (empty when function.overdue_alarm = null).
  EOT
  value       = { for key, rule in aws_config_config_rule.overdue : key => rule.arn }
}

output "overdue_event_rule_arns" {
  description = <<-EOT
    ARNs of the EventBridge rules sending those Config rules' NON_COMPLIANT results to
    function.alarm_sns_topic_arn (20 Config rules to an EventBridge rule, in the order of the sorted
    keys of secrets).
  EOT
  value = [
    for i in range(length(aws_cloudwatch_event_rule.overdue)) : aws_cloudwatch_event_rule.overdue[tostring(i)].arn
  ]
}

output "database" {
  description = <<-EOT
    The database settings the function got, defaults filled in (null for a rotator without a
    database): the rotator modules size their timeout from connect_timeout_seconds.
  EOT
  value       = var.database
}
