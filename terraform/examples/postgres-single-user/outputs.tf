output "secret_arn" {
  description = "ARN of the rotated secret."
  value       = aws_secretsmanager_secret.this.arn
}

output "function_arn" {
  description = "ARN of the rotation function."
  value       = module.rotation.function.function_arn
}

output "function_name" {
  description = "Name of the rotation function."
  value       = module.rotation.function.function_name
}
