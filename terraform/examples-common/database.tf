# Shared by the examples whose rotator logs in to a database (terraform/examples/*/database.tf
# links here): how the function connects, the rotator module's `database = local.database`.

locals {
  database = {
    require_tls        = var.require_tls
    tls_ca_bundle_path = var.tls_ca_bundle_path
  }
}

variable "db_ssl" {
  description = <<-EOT
    The secret's "ssl" field: true or null = verified TLS; false = plaintext, which the function
    refuses while require_tls is true (the default).
  EOT
  type        = bool
  default     = true
}

variable "require_tls" {
  description = <<-EOT
    The module's database.require_tls: true (default) = verified TLS for every login; false lets a
    secret that says "ssl": false use plaintext.
  EOT
  type        = bool
  default     = true
}

variable "tls_ca_bundle_path" {
  description = <<-EOT
    PEM file of the CAs the function trusts instead of Node's roots + the Amazon RDS bundle; null
    for those.
  EOT
  type        = string
  default     = null
}
