# Shared by every example root (terraform/examples/*/providers.tf links here): the versions it
# needs and the AWS provider, which goes to a local emulator when `endpoint` is set.
terraform {
  # 1.11: write-only arguments (secret_string_wo), so no initial value is kept in the state.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100"
    }
  }
}

# With `endpoint` set, every AWS service the example uses goes to a local emulator (moto) with
# throwaway credentials; left empty, this is plain AWS with your usual credentials.
locals {
  local_emulator = var.endpoint != ""
}

provider "aws" {
  region = var.region

  access_key                  = local.local_emulator ? "test" : null
  secret_key                  = local.local_emulator ? "test" : null
  skip_credentials_validation = local.local_emulator
  skip_metadata_api_check     = local.local_emulator

  dynamic "endpoints" {
    for_each = local.local_emulator ? [var.endpoint] : []
    content {
      cloudwatch     = endpoints.value
      cloudwatchlogs = endpoints.value
      eventbridge    = endpoints.value
      iam            = endpoints.value
      kms            = endpoints.value
      lambda         = endpoints.value
      secretsmanager = endpoints.value
      sns            = endpoints.value
      sts            = endpoints.value
    }
  }
}

variable "endpoint" {
  description = "URL of a local AWS emulator (e.g. moto at http://127.0.0.1:4566) for every service; empty for AWS."
  type        = string
  default     = ""
}

variable "region" {
  description = "AWS region."
  type        = string
  default     = "us-east-1"
}
