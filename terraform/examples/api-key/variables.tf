variable "name" {
  description = "Name of the rotation function and prefix of the secret's name."
  type        = string
  default     = "example-api-key"
}

variable "zip_path" {
  description = "Built zip; null for ../../../packages/api-key/dist/api-key.zip (npm run package)."
  type        = string
  default     = null
}

variable "base_url" {
  description = "Base URL of the provider's key API (https only), e.g. https://api.example.com/v1."
  type        = string

  validation {
    condition     = startswith(var.base_url, "https://")
    error_message = "base_url must be an https:// URL: the key travels in a header and TLS is always verified."
  }
}

variable "allowed_hosts" {
  description = "Hosts the secret's baseUrl may name; null for the host (and port) of base_url alone."
  type        = list(string)
  default     = null
}

variable "key_id" {
  description = "The provider's id of the current key."
  type        = string
}

variable "initial_api_key" {
  description = <<-EOT
    The current key, the secret's first value; it must be allowed to list, create and revoke keys.
    Ephemeral: never stored in the plan or the state.
  EOT
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "provider_name" {
  description = "Adapter: generic or sendgrid."
  type        = string
  default     = "generic"
}

variable "ca_bundle_path" {
  description = "PEM file of extra CAs the function trusts for the key API (a private CA); null for Node's roots."
  type        = string
  default     = null
}

variable "revoke_initial_key" {
  description = "Also revoke the initial key once it is older than AWSPREVIOUS."
  type        = bool
  default     = false
}
