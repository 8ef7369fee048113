variable "name" {
  description = "Name of the rotation function (and prefix of its role, log group and alarms)."
  type        = string
}

variable "zip_path" {
  description = "Path of packages/api-key/dist/api-key.zip (npm run package)."
  type        = string
}

variable "function" {
  description = "Function, role, logs, alarms, tags: any attribute of rotation-function's `function` (see its README)."
  type        = any
  default     = {}
}

variable "timeout" {
  description = <<-EOT
    Timeout of one rotation step in seconds; at least step_timeout_seconds + 5 (the key API calls of
    a step, then Secrets Manager).
  EOT
  type        = number
  default     = 30

  validation {
    condition = var.timeout >= var.step_timeout_seconds + 5 && var.timeout <= 900
    error_message = join(" ", [
      "timeout (${var.timeout} s) must be at least step_timeout_seconds + 5 =",
      "${var.step_timeout_seconds + 5} s (the key API budget of a step plus the Secrets Manager",
      "calls), and at most 900.",
    ])
  }
}

variable "provider_name" {
  description = <<-EOT
    Adapter for secrets without a "provider" field (API_PROVIDER): generic (plain REST, set up by
    `http`) or sendgrid.
  EOT
  type        = string
  default     = "generic"

  validation {
    condition     = contains(["generic", "sendgrid"], var.provider_name)
    error_message = "provider_name must be \"generic\" or \"sendgrid\"."
  }
}

variable "request_timeout_seconds" {
  description = "Timeout of one attempt of one request to the key API (API_REQUEST_TIMEOUT_SECONDS)."
  type        = number
  default     = 5

  validation {
    condition = (
      var.request_timeout_seconds >= 1 && var.request_timeout_seconds <= 60 &&
      floor(var.request_timeout_seconds) == var.request_timeout_seconds
    )
    error_message = "request_timeout_seconds must be a whole number from 1 to 60."
  }
}

variable "step_timeout_seconds" {
  description = "Budget of all the key API calls of one step, retries and waits included (API_STEP_TIMEOUT_SECONDS)."
  type        = number
  default     = 20

  validation {
    condition = (
      var.step_timeout_seconds >= 1 && var.step_timeout_seconds <= 840 &&
      floor(var.step_timeout_seconds) == var.step_timeout_seconds
    )
    error_message = "step_timeout_seconds must be a whole number from 1 to 840."
  }
}

variable "max_retries" {
  description = "Retries of one request (API_MAX_RETRIES); a create that may have succeeded is never repeated."
  type        = number
  default     = 3

  validation {
    condition     = var.max_retries >= 0 && var.max_retries <= 10 && floor(var.max_retries) == var.max_retries
    error_message = "max_retries must be a whole number from 0 to 10."
  }
}

variable "retry_base_delay_ms" {
  description = "First backoff delay in milliseconds (API_RETRY_BASE_DELAY_MS); doubles each retry, capped at 5 s."
  type        = number
  default     = 250

  validation {
    condition = (
      var.retry_base_delay_ms >= 10 && var.retry_base_delay_ms <= 10000 &&
      floor(var.retry_base_delay_ms) == var.retry_base_delay_ms
    )
    error_message = "retry_base_delay_ms must be a whole number from 10 to 10000."
  }
}

variable "ca_bundle_path" {
  description = <<-EOT
    PEM file of the CA certificates the key API is verified against instead of Node's roots
    (API_CA_BUNDLE_PATH), e.g. /opt/ca.pem from a layer; null for Node's roots. TLS is always
    verified.
  EOT
  type        = string
  default     = null

  validation {
    condition     = var.ca_bundle_path == null || startswith(coalesce(var.ca_bundle_path, "-"), "/")
    error_message = "ca_bundle_path must be an absolute path inside the function or null."
  }
}

variable "allowed_hosts" {
  description = <<-EOT
    Hosts a secret's baseUrl may name (API_ALLOWED_HOSTS): "api.example.com", "*.example.com" (names
    below it), either with ":port" (443 otherwise). Required for provider_name = "generic"; empty
    keeps a named adapter's own hosts (sendgrid: api.sendgrid.com, api.eu.sendgrid.com), set it
    replaces them. Any other host is refused before a request.
  EOT
  type        = list(string)
  default     = []

  validation {
    condition = var.provider_name != "generic" || length(var.allowed_hosts) > 0
    error_message = join(" ", [
      "allowed_hosts is required when provider_name is \"generic\": without it, whoever can write",
      "a secret chooses the host the function sends its key to.",
    ])
  }

  validation {
    condition = alltrue([
      for h in var.allowed_hosts :
      can(regex(
        "^(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:[0-9]{1,5})?$",
        h,
      )) &&
      !can(regex("^\\*\\.[^.]+$", h))
    ])
    error_message = join(" ", [
      "allowed_hosts entries are host names or IPv4 addresses, or \"*.domain.tld\", optionally",
      "with \":port\" (no scheme, no path).",
    ])
  }
}

variable "secret_settings" {
  description = <<-EOT
    Let a secret's "api" object and "provider" choose the adapter settings (API_SECRET_SETTINGS).
    Off: those come from `http` and provider_name only, and a secret that carries them is refused,
    since whoever can write the secret could otherwise choose the paths, the auth header and the
    response fields copied into it. On: the function logs a WARN.
  EOT
  type        = bool
  default     = false
}

variable "max_pages" {
  description = <<-EOT
    Most pages of one key list (API_MAX_PAGES); a list that still announces a next page then is an
    error, and nothing is created or revoked from it.
  EOT
  type        = number
  default     = 20

  validation {
    condition     = var.max_pages >= 1 && var.max_pages <= 1000 && floor(var.max_pages) == var.max_pages
    error_message = "max_pages must be a whole number from 1 to 1000."
  }
}

variable "revoke_initial_key" {
  description = <<-EOT
    Also revoke the key the secret held before the first rotation once it is older than AWSPREVIOUS
    (API_REVOKE_INITIAL_KEY). Leave false if that key is used elsewhere.
  EOT
  type        = bool
  default     = false
}

variable "http" {
  description = <<-EOT
    Settings of the generic HTTP adapter, one per setting of the package (its SETTING_VARIABLES),
    each set as API_<FIELD IN UPPER CASE> (keys_path: API_KEYS_PATH, page_size: API_PAGE_SIZE, …);
    null fields keep the adapter's defaults. A secret's own "api" object overrides them only with
    secret_settings = true.
  EOT
  type = object({
    keys_path          = optional(string)
    key_path           = optional(string)
    test_path          = optional(string)
    test_method        = optional(string)
    create_method      = optional(string)
    revoke_method      = optional(string)
    auth_header        = optional(string)
    auth_scheme        = optional(string)
    label_field        = optional(string)
    id_field           = optional(string)
    key_field          = optional(string)
    list_items_field   = optional(string)
    created_item_field = optional(string)
    next_page          = optional(string)
    page_size_param    = optional(string)
    page_size          = optional(number)
  })
  default = {}

  validation {
    condition = (
      contains(["GET", "HEAD", "POST"], coalesce(var.http.test_method, "GET")) &&
      contains(["POST", "PUT"], coalesce(var.http.create_method, "POST")) &&
      contains(["DELETE", "POST"], coalesce(var.http.revoke_method, "DELETE"))
    )
    error_message = join(" ", [
      "http.test_method must be GET, HEAD or POST; http.create_method POST or PUT;",
      "http.revoke_method DELETE or POST.",
    ])
  }

  validation {
    condition = (
      alltrue([
        for path in compact([var.http.keys_path, var.http.key_path, var.http.test_path]) : startswith(path, "/")
      ]) &&
      (var.http.key_path == null || strcontains(coalesce(var.http.key_path, "{id}"), "{id}"))
    )
    error_message = "http paths must start with \"/\", and http.key_path must contain {id}."
  }

  validation {
    condition = (
      var.http.next_page == null ||
      can(regex(format(
        "^(none|link|%s|%s)$",
        "url:[A-Za-z0-9_$-]+(\\.[A-Za-z0-9_$-]+)*",
        "cursor:[A-Za-z0-9_$-]+(\\.[A-Za-z0-9_$-]+)*:[A-Za-z0-9_.\\[\\]-]+",
      ), coalesce(var.http.next_page, "none")))
    )
    error_message = "http.next_page must be none, link, url:<field path> or cursor:<field path>:<query parameter>."
  }

  validation {
    condition = (
      var.http.page_size == null ||
      try(
        var.http.page_size >= 1 && var.http.page_size <= 1000 && floor(var.http.page_size) == var.http.page_size,
        false,
      )
    )
    error_message = "http.page_size must be a whole number from 1 to 1000."
  }
}

variable "secrets" {
  description = <<-EOT
    Secrets to rotate, by a key of your choice. Secret JSON: apiKey, keyId, baseUrl (https), optional
    provider and api (see the package README). Per secret: arn, kms_key_arn (customer managed key, if
    any), exactly one of automatically_after_days (1-1000) or schedule_expression (+ optional duration),
    rotate_immediately (default true). Types and checks: rotation-function's `secrets`.
  EOT
  type        = any
  default     = {}
  nullable    = false
}
