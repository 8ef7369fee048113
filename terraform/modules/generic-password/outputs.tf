output "function" {
  description = <<-EOT
    Every output of rotation-function, as one object: function_arn, function_name, role_arn,
    role_name, log_group_name, environment, rotated_secret_arns and the alarms' ARNs (its README
    lists them all).
  EOT
  value       = module.function
}
