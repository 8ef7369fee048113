output "function_arn" {
  description = "ARN of the rotation function."
  value       = module.function.function_arn
}

output "function_name" {
  description = "Name of the rotation function."
  value       = module.function.function_name
}

output "role_arn" {
  description = "ARN of the function's IAM role."
  value       = module.function.role_arn
}

output "log_group_name" {
  description = "CloudWatch log group of the function."
  value       = module.function.log_group_name
}

output "environment" {
  description = "Environment variables the function runs with."
  value       = module.function.environment
}

output "rotated_secret_arns" {
  description = "ARN of each wired secret, by key."
  value       = module.function.rotated_secret_arns
}

output "extra_policy_statements" {
  description = "IAM statements the function's role gets besides the Secrets Manager ones (the RDS Describe calls when rds_managed_master is on)."
  value       = local.extra_policy_statements
}
