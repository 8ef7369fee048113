variable "name" {
  description = "Name of the rotation function and prefix of the secret's name."
  type        = string
  default     = "example-generic-password"
}

variable "zip_path" {
  description = "Built zip; null for ../../../packages/generic-password/dist/generic-password.zip (npm run package)."
  type        = string
  default     = null
}

variable "username" {
  description = "Kept as it is in the secret; only the password is rotated."
  type        = string
  default     = "reporting"
}

variable "initial_password" {
  description = <<-EOT
    The secret's first password, replaced by the first rotation. Ephemeral: never stored in the plan
    or the state.
  EOT
  type        = string
  sensitive   = true
  ephemeral   = true
}
